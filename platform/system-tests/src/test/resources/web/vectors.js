// Runs the page's own crypto modules over the interop vectors (client/src/test/resources/test-vectors)
// and the RFC 9180 A.1.1 vector; returns every computed value as hex for the Java test to compare.
import * as c from '/assets/js/crypto.js';
import { concat, encodeContent, field, fromHex as x, hex, label, parseContent, uint32, uint8 } from '/assets/js/encoding.js';

export async function interop(v) {
  const out = {};
  const ids = {};
  for (const who of ['alice', 'bob']) {
    const n = v[who];
    const id = await c.importIdentity(x(n.signingPrivateKey), x(n.kemPrivateKey));
    ids[who] = id;
    const pub = await c.publicIdentity(v.suite, n.keyVersion, id.signingPublicKey, id.kemPublicKey, id.kemKeySignature);
    out[who] = {
      signingPublicKey: hex(id.signingPublicKey), kemPublicKey: hex(id.kemPublicKey),
      kemKeySignatureInput: hex(c.kemKeySignatureInput(v.suite, id.signingPublicKey, id.kemPublicKey)),
      kemKeySignature: hex(id.kemKeySignature), fingerprint: pub.fingerprint, fingerprintDigits: pub.digits,
      signingKeyExtractable: id.signingKey.extractable, kemKeyExtractable: id.kemKey.extractable,
    };
    ids[who + 'Public'] = pub;
  }
  out.safetyNumber = c.safetyNumber(ids.alicePublic.digits, ids.bobPublic.digits);
  out.safetyNumberReversed = c.safetyNumber(ids.bobPublic.digits, ids.alicePublic.digits);

  const e = v.envelope;
  const sender = { userId: e.senderUserId, keyVersion: e.senderKeyVersion, signingKey: ids.alice.signingKey };
  const ephemeral = await c.deriveKemKeyPair(x(e.ephemeralIkm));
  const wrapped = await c.wrapEnvelope(x(e.sessionKey), e.sessionId, e.epoch, e.recipientUserId,
    { ...ids.bobPublic, keyVersion: e.recipientKeyVersion }, sender, ephemeral);
  const expected = { sessionId: e.sessionId, epoch: e.epoch, userId: e.recipientUserId, keyVersion: e.recipientKeyVersion,
    kemKey: ids.bob.kemKey, kemPublicKey: ids.bob.kemPublicKey, senderUserId: e.senderUserId,
    sender: { ...ids.alicePublic, keyVersion: e.senderKeyVersion } };
  const theirs = { suite: v.suite, sessionId: e.sessionId, epoch: e.epoch, recipientUserId: e.recipientUserId,
    recipientKeyVersion: e.recipientKeyVersion, senderUserId: e.senderUserId, senderKeyVersion: e.senderKeyVersion,
    enc: x(e.enc), ciphertext: x(e.ciphertext), signature: x(e.signature) };
  const relabelled = await c.unwrapEnvelope(theirs, { ...expected, epoch: e.epoch + 1 })
    .then(() => 'opened', err => err.kind);
  const tampered = x(e.ciphertext);
  tampered[0] ^= 1;
  out.envelope = {
    info: hex(c.envelopeInfo(e.sessionId, e.epoch)),
    aad: hex(c.envelopeAad(e.sessionId, e.epoch, e.recipientUserId, e.recipientKeyVersion)),
    enc: hex(wrapped.enc), ciphertext: hex(wrapped.ciphertext),
    signatureInput: hex(c.envelopeSignatureInput(wrapped)), signature: hex(wrapped.signature),
    unwrapped: hex(await c.unwrapEnvelope(theirs, expected)),
    relabelled,
    tampered: await c.unwrapEnvelope({ ...theirs, ciphertext: tampered }, expected).then(() => 'opened', err => err.kind),
  };

  const m = v.message;
  const key = await c.epochCryptoKey(x(m.epochKey));
  const msgSender = { userId: m.senderId, keyVersion: m.senderKeyVersion, signingKey: ids.alice.signingKey };
  const sealed = await c.encryptMessage(key, m.sessionId, m.epoch, msgSender, m.clientMessageId, m.text, x(m.nonce));
  const received = { suite: v.suite, formatVersion: 1, sessionId: m.sessionId, epoch: m.epoch, senderId: m.senderId,
    senderKeyVersion: m.senderKeyVersion, clientMessageId: m.clientMessageId, nonce: x(m.nonce), ciphertext: x(m.ciphertext),
    signature: x(m.signature) };
  const alicePub = { ...ids.alicePublic, keyVersion: m.senderKeyVersion };
  const content = await c.decryptMessage(received, m.sessionId, key, alicePub);
  out.message = {
    header: hex(sealed.header), plaintext: hex(sealed.plaintext), ciphertext: hex(sealed.ciphertext),
    signatureInput: hex(c.messageSignatureInput(sealed.header, sealed.nonce, sealed.ciphertext)), signature: hex(sealed.signature),
    decryptedType: content.type, decryptedText: content.text,
    otherSession: await c.decryptMessage({ ...received, sessionId: 'sess-other' }, 'sess-other', key, alicePub)
      .then(() => 'opened', err => err.kind),
  };

  // crypto.md §8: the layout of the key file, opened with the vector's derived key (WebCrypto has no Argon2id)
  const k = v.keyAtRest;
  const privateKeys = concat(label('e2echat/private-keys/v1'), field(v.suite), uint32(v.alice.keyVersion),
    field(x(v.alice.signingPrivateKey)), field(x(v.alice.kemPrivateKey)));
  const header = concat(label('e2echat/key-at-rest/v1'), uint8(1), uint8(0x13), uint32(k.memoryKiB), uint32(k.iterations),
    uint32(k.parallelism), field(x(k.salt)), uint8(1), field(x(k.nonce)));
  const sealedFile = x(k.sealed);
  const body = sealedFile.slice(header.length + 2);
  const aes = await crypto.subtle.importKey('raw', x(k.derivedKey), 'AES-GCM', false, ['decrypt']);
  out.keyAtRest = {
    privateKeysPlaintext: hex(privateKeys),
    headerIsPrefix: hex(sealedFile.slice(0, header.length)) === hex(header),
    opened: hex(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: x(k.nonce), additionalData: header }, aes, body))),
  };
  return out;
}

export async function rfc9180(r) {
  const v = r.vector;
  const eph = await c.deriveKemKeyPair(x(v.ikmE));
  const rec = await c.deriveKemKeyPair(x(v.ikmR));
  const info = x(v.info);
  const sealed = await c.hpkeSealBase(c.AEAD.AES128GCM, rec.publicKey, info,
    v.encryptions.map(e => ({ seq: e.seq, aad: x(e.aad), pt: x(e.pt) })), eph);
  const opened = [];
  for (const e of v.encryptions) {
    opened.push(hex(await c.hpkeOpenBase(c.AEAD.AES128GCM, x(v.enc), rec.privateKey, rec.publicKey, info, x(e.aad), x(e.ct), e.seq)));
  }
  return {
    skEm: hex(eph.sk), pkEm: hex(eph.publicKey), skRm: hex(rec.sk), pkRm: hex(rec.publicKey), enc: hex(sealed.enc),
    shared_secret: hex(sealed.sharedSecret), key: hex(sealed.key), base_nonce: hex(sealed.baseNonce),
    cts: sealed.ciphertexts.map(hex), opened,
  };
}

/** §7: the strict reader refuses what two clients could read differently. */
export function strictJson(cases) {
  const enc = new TextEncoder();
  return cases.map(text => {
    try {
      const parsed = parseContent(typeof text === 'string' ? enc.encode(text) : Uint8Array.from(text));
      return 'ok:' + parsed.type + ':' + parsed.text;
    } catch (err) {
      return 'refused';
    }
  });
}

export { encodeContent };
