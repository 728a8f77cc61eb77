// docs/crypto.md with the browser's WebCrypto only: Ed25519, X25519, HKDF-SHA256 (HMAC),
// AES-256-GCM, and HPKE base mode (RFC 9180) built from them.
import {
  base64url, concat, encodeContent, equalBytes, field, hex, label, parseContent, uint16, uint32, uint64, uint8, utf8,
} from './encoding.js';

export const SUITE = 'X25519-Ed25519-AES256GCM-v1';
export const FORMAT_VERSION = 1;
export const MAX_PLAINTEXT_BYTES = 65519;

const subtle = crypto.subtle;

/** A refusal of received data (crypto.md §11): kind is malformed, context, signature or decryption. */
export class CryptoError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'CryptoError';
    this.kind = kind;
  }
}

// ------------------------------------------------------------------ keys

// PKCS#8 prefixes of RFC 8410 private keys; WebCrypto imports private keys only in PKCS#8 or JWK
const PKCS8_ED25519 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);
const PKCS8_X25519 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20);

async function rawPublic(publicKey) {
  return new Uint8Array(await subtle.exportKey('raw', publicKey));
}

/**
 * A fresh identity (crypto.md §9): both private keys non-extractable. Returns
 * {signingKey, kemKey (CryptoKeys, private), signingPublicKey, kemPublicKey, kemKeySignature (bytes)}.
 */
export async function generateIdentity() {
  const signing = await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const kem = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  return identityFrom(signing.privateKey, kem.privateKey, await rawPublic(signing.publicKey), await rawPublic(kem.publicKey));
}

/** An identity from raw 32-byte private keys (interop vectors only); the keys stay non-extractable. */
export async function importIdentity(signingSeed, kemPrivate) {
  const signingKey = await subtle.importKey('pkcs8', concat(PKCS8_ED25519, signingSeed), { name: 'Ed25519' }, false, ['sign']);
  const kemKey = await subtle.importKey('pkcs8', concat(PKCS8_X25519, kemPrivate), { name: 'X25519' }, false, ['deriveBits']);
  return identityFrom(signingKey, kemKey, await publicOf(signingSeed, 'Ed25519', PKCS8_ED25519, ['sign']),
    await publicOf(kemPrivate, 'X25519', PKCS8_X25519, ['deriveBits']));
}

async function publicOf(privateBytes, name, prefix, usages) {
  // a short-lived extractable copy, only to read the public half from its JWK
  const key = await subtle.importKey('pkcs8', concat(prefix, privateBytes), { name }, true, usages);
  return base64url((await subtle.exportKey('jwk', key)).x);
}

async function identityFrom(signingKey, kemKey, signingPublicKey, kemPublicKey) {
  const kemKeySignature = await sign(signingKey, kemKeySignatureInput(SUITE, signingPublicKey, kemPublicKey));
  return { signingKey, kemKey, signingPublicKey, kemPublicKey, kemKeySignature };
}

export function kemKeySignatureInput(suite, signingPublicKey, kemPublicKey) {
  return concat(label('e2echat/kem-key/v1'), field(suite), field(signingPublicKey), field(kemPublicKey));
}

export async function sign(privateKey, data) {
  return new Uint8Array(await subtle.sign({ name: 'Ed25519' }, privateKey, data));
}

export async function verify(signingPublicKey, signature, data) {
  const key = await subtle.importKey('raw', signingPublicKey, { name: 'Ed25519' }, false, ['verify']);
  return subtle.verify({ name: 'Ed25519' }, key, signature, data);
}

/** A contact's identity as user-service returns it (KeyResponse), checked: suite, sizes, KEM-key signature. */
export async function publicIdentity(suite, keyVersion, signingPublicKey, kemPublicKey, kemKeySignature) {
  if (suite !== SUITE) throw new CryptoError('malformed', 'unknown suite ' + suite);
  if (signingPublicKey.length !== 32 || kemPublicKey.length !== 32 || kemKeySignature.length !== 64) {
    throw new CryptoError('malformed', 'identity key sizes');
  }
  if (!await verify(signingPublicKey, kemKeySignature, kemKeySignatureInput(suite, signingPublicKey, kemPublicKey))) {
    throw new CryptoError('signature', 'the KEM key is not signed by the signing key');
  }
  const fp = await fingerprint(suite, signingPublicKey, kemPublicKey);
  return { suite, keyVersion, signingPublicKey, kemPublicKey, kemKeySignature, fingerprint: hex(fp), digits: fingerprintDigits(fp) };
}

// ------------------------------------------------------------------ fingerprints (§3.2–3.4)

export async function fingerprint(suite, signingPublicKey, kemPublicKey) {
  return new Uint8Array(await subtle.digest('SHA-256',
    concat(label('e2echat/fingerprint/v1'), field(suite), field(signingPublicKey), field(kemPublicKey))));
}

export function fingerprintDigits(fp) {
  const groups = [];
  for (let i = 0; i < 6; i++) {
    let n = 0n;
    for (let j = 0; j < 5; j++) n = (n << 8n) | BigInt(fp[5 * i + j]);
    groups.push(String(n % 100000n).padStart(5, '0'));
  }
  return groups.join(' ');
}

export function safetyNumber(digitsA, digitsB) {
  return [digitsA, digitsB].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(' ');
}

// ------------------------------------------------------------------ HKDF and HPKE (RFC 9180)

async function hmac(key, data) {
  const k = await subtle.importKey('raw', key.length ? key : new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}

async function extract(salt, ikm) {
  return hmac(salt, ikm);
}

async function expand(prk, info, length) {
  const out = [];
  let t = new Uint8Array(0);
  for (let i = 1, have = 0; have < length; i++) {
    t = await hmac(prk, concat(t, info, uint8(i)));
    out.push(t);
    have += t.length;
  }
  return concat(...out).slice(0, length);
}

const HPKE_V1 = utf8('HPKE-v1');
const KEM_ID = 0x0020;
const KDF_ID = 0x0001;
const AEAD_AES256GCM = 0x0002;
const KEM_SUITE = concat(utf8('KEM'), uint16(KEM_ID));

function hpkeSuite(aeadId) {
  return concat(utf8('HPKE'), uint16(KEM_ID), uint16(KDF_ID), uint16(aeadId));
}

function labeledExtract(suiteId, salt, lbl, ikm) {
  return extract(salt, concat(HPKE_V1, suiteId, utf8(lbl), ikm));
}

function labeledExpand(suiteId, prk, lbl, info, length) {
  return expand(prk, concat(uint16(length), HPKE_V1, suiteId, utf8(lbl), info), length);
}

/** DeriveKeyPair(ikm) of DHKEM(X25519): the 32-byte private key and the raw public key. */
export async function deriveKemKeyPair(ikm) {
  const prk = await labeledExtract(KEM_SUITE, new Uint8Array(0), 'dkp_prk', ikm);
  const sk = await labeledExpand(KEM_SUITE, prk, 'sk', new Uint8Array(0), 32);
  const privateKey = await subtle.importKey('pkcs8', concat(PKCS8_X25519, sk), { name: 'X25519' }, false, ['deriveBits']);
  return { sk, privateKey, publicKey: await publicOf(sk, 'X25519', PKCS8_X25519, ['deriveBits']) };
}

async function dh(privateKey, publicBytes) {
  const pub = await subtle.importKey('raw', publicBytes, { name: 'X25519' }, false, []);
  return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, privateKey, 256));
}

async function extractAndExpand(dhBytes, kemContext) {
  const prk = await labeledExtract(KEM_SUITE, new Uint8Array(0), 'eae_prk', dhBytes);
  return labeledExpand(KEM_SUITE, prk, 'shared_secret', kemContext, 32);
}

async function keySchedule(aeadId, sharedSecret, info) {
  const suiteId = hpkeSuite(aeadId);
  const empty = new Uint8Array(0);
  const pskIdHash = await labeledExtract(suiteId, empty, 'psk_id_hash', empty);
  const infoHash = await labeledExtract(suiteId, empty, 'info_hash', info);
  const context = concat(uint8(0), pskIdHash, infoHash);
  const secret = await labeledExtract(suiteId, sharedSecret, 'secret', empty);
  const nk = aeadId === AEAD_AES256GCM ? 32 : 16;
  return {
    key: await labeledExpand(suiteId, secret, 'key', context, nk),
    baseNonce: await labeledExpand(suiteId, secret, 'base_nonce', context, 12),
  };
}

function seqNonce(baseNonce, seq) {
  const nonce = baseNonce.slice();
  const s = uint64(seq);
  for (let i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
  return nonce;
}

async function aesGcm(op, keyBytes, nonce, aad, data) {
  const key = await subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, [op]);
  return new Uint8Array(await subtle[op]({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, key, data));
}

/**
 * SetupBaseS + Seal for every listed (aad, pt, seq) under one context. The ephemeral key pair is
 * fresh unless given (vectors). Returns {enc, sharedSecret, key, baseNonce, ciphertexts}.
 */
export async function hpkeSealBase(aeadId, pkR, info, messages, ephemeral) {
  let skE;
  let enc;
  if (ephemeral) {
    skE = ephemeral.privateKey;
    enc = ephemeral.publicKey;
  } else {
    const pair = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
    skE = pair.privateKey;
    enc = await rawPublic(pair.publicKey);
  }
  const sharedSecret = await extractAndExpand(await dh(skE, pkR), concat(enc, pkR));
  const { key, baseNonce } = await keySchedule(aeadId, sharedSecret, info);
  const ciphertexts = [];
  for (const m of messages) {
    ciphertexts.push(await aesGcm('encrypt', key, seqNonce(baseNonce, m.seq), m.aad, m.pt));
  }
  return { enc, sharedSecret, key, baseNonce, ciphertexts };
}

/** SetupBaseR + Open of one ciphertext at sequence number seq. */
export async function hpkeOpenBase(aeadId, enc, skR, pkR, info, aad, ct, seq = 0) {
  const sharedSecret = await extractAndExpand(await dh(skR, enc), concat(enc, pkR));
  const { key, baseNonce } = await keySchedule(aeadId, sharedSecret, info);
  return aesGcm('decrypt', key, seqNonce(baseNonce, seq), aad, ct);
}

export const AEAD = { AES128GCM: 0x0001, AES256GCM: AEAD_AES256GCM };

// ------------------------------------------------------------------ envelopes (§5)

export function envelopeInfo(sessionId, epoch) {
  return concat(label('e2echat/envelope/v1'), field(sessionId), uint64(epoch));
}

export function envelopeAad(sessionId, epoch, recipientUserId, recipientKeyVersion) {
  return concat(field(sessionId), uint64(epoch), field(recipientUserId), uint32(recipientKeyVersion));
}

export function envelopeSignatureInput(e) {
  return concat(label('e2echat/envelope-sig/v1'), field(SUITE), field(e.sessionId), uint64(e.epoch),
    field(e.recipientUserId), uint32(e.recipientKeyVersion), field(e.senderUserId), uint32(e.senderKeyVersion),
    field(e.enc), field(e.ciphertext));
}

/**
 * Wraps a 32-byte session key to a recipient's verified identity and signs the envelope.
 * sender: {userId, keyVersion, signingKey}; recipient: {userId, identity (from publicIdentity)}.
 */
export async function wrapEnvelope(sessionKey, sessionId, epoch, recipientUserId, recipient, sender, ephemeral) {
  if (sessionKey.length !== 32) throw new RangeError('session keys are 32 bytes');
  // the KEM-key signature was checked when the identity was read (publicIdentity)
  const { enc, ciphertexts } = await hpkeSealBase(AEAD_AES256GCM, recipient.kemPublicKey, envelopeInfo(sessionId, epoch),
    [{ seq: 0, aad: envelopeAad(sessionId, epoch, recipientUserId, recipient.keyVersion), pt: sessionKey }], ephemeral);
  const envelope = {
    suite: SUITE, sessionId, epoch, recipientUserId, recipientKeyVersion: recipient.keyVersion,
    senderUserId: sender.userId, senderKeyVersion: sender.keyVersion, enc, ciphertext: ciphertexts[0],
  };
  envelope.signature = await sign(sender.signingKey, envelopeSignatureInput(envelope));
  return envelope;
}

/**
 * Opens one of the reader's envelopes (crypto.md §5, steps 1–4). expected: {sessionId, epoch,
 * userId, keyVersion, kemKey, kemPublicKey (own), senderUserId, sender (verified public identity)}.
 */
export async function unwrapEnvelope(e, expected) {
  if (e.suite !== SUITE) throw new CryptoError('malformed', 'unknown suite');
  if (e.enc.length !== 32 || e.ciphertext.length !== 48 || e.signature.length !== 64) {
    throw new CryptoError('malformed', 'envelope sizes');
  }
  if (e.sessionId !== expected.sessionId || e.epoch !== expected.epoch || e.recipientUserId !== expected.userId
      || e.recipientKeyVersion !== expected.keyVersion || e.senderUserId !== expected.senderUserId
      || e.senderKeyVersion !== expected.sender.keyVersion) {
    throw new CryptoError('context', 'the envelope names another context');
  }
  const input = envelopeSignatureInput({
    sessionId: expected.sessionId, epoch: expected.epoch, recipientUserId: expected.userId,
    recipientKeyVersion: expected.keyVersion, senderUserId: expected.senderUserId,
    senderKeyVersion: expected.sender.keyVersion, enc: e.enc, ciphertext: e.ciphertext,
  });
  if (!await verify(expected.sender.signingPublicKey, e.signature, input)) {
    throw new CryptoError('signature', 'envelope signature');
  }
  let key;
  try {
    key = await hpkeOpenBase(AEAD_AES256GCM, e.enc, expected.kemKey, expected.kemPublicKey,
      envelopeInfo(expected.sessionId, expected.epoch),
      envelopeAad(expected.sessionId, expected.epoch, expected.userId, expected.keyVersion), e.ciphertext);
  } catch {
    throw new CryptoError('decryption', 'the envelope does not open');
  }
  if (key.length !== 32) throw new CryptoError('decryption', 'session key size');
  return key;
}

// ------------------------------------------------------------------ messages (§6)

export function messageHeader(sessionId, epoch, senderId, clientMessageId) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(clientMessageId)) {
    throw new CryptoError('malformed', 'clientMessageId is not a lower-case UUID');
  }
  return concat(label('e2echat/message/v1'), uint8(FORMAT_VERSION), field(sessionId), uint64(epoch),
    field(senderId), field(clientMessageId));
}

export function messageSignatureInput(header, nonce, ciphertext) {
  return concat(label('e2echat/message-sig/v1'), field(header), field(nonce), field(ciphertext));
}

/** An AES-GCM CryptoKey (non-extractable) for an epoch key's bytes. */
export function epochCryptoKey(keyBytes) {
  return subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/**
 * Encrypts and signs {"type":"text","text":...}. sender: {userId, keyVersion, signingKey};
 * nonce is random unless given (vectors). Returns the message's wire values as bytes.
 */
export async function encryptMessage(epochKey, sessionId, epoch, sender, clientMessageId, text, nonce) {
  const plaintext = encodeContent('text', text);
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new RangeError('message too long');
  const iv = nonce || crypto.getRandomValues(new Uint8Array(12));
  const header = messageHeader(sessionId, epoch, sender.userId, clientMessageId);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header, tagLength: 128 },
    epochKey, plaintext));
  const signature = await sign(sender.signingKey, messageSignatureInput(header, iv, ciphertext));
  return { suite: SUITE, formatVersion: FORMAT_VERSION, sessionId, epoch, senderId: sender.userId,
    senderKeyVersion: sender.keyVersion, clientMessageId, nonce: iv, ciphertext, signature, header, plaintext };
}

/**
 * Verifies and decrypts a received message (crypto.md §6, steps 1–5); m holds bytes for nonce,
 * ciphertext and signature. senderIdentity is the verified identity at m.senderKeyVersion.
 */
export async function decryptMessage(m, expectedSessionId, epochKey, senderIdentity) {
  if (m.suite !== SUITE || m.formatVersion !== FORMAT_VERSION) throw new CryptoError('malformed', 'unknown suite or format');
  if (m.nonce.length !== 12 || m.ciphertext.length < 16 || m.ciphertext.length > 65535 || m.signature.length !== 64) {
    throw new CryptoError('malformed', 'message sizes');
  }
  if (m.sessionId !== expectedSessionId || senderIdentity.keyVersion !== m.senderKeyVersion) {
    throw new CryptoError('context', 'the message names another context');
  }
  const header = messageHeader(m.sessionId, m.epoch, m.senderId, m.clientMessageId);
  if (!await verify(senderIdentity.signingPublicKey, m.signature, messageSignatureInput(header, m.nonce, m.ciphertext))) {
    throw new CryptoError('signature', 'message signature');
  }
  let plaintext;
  try {
    plaintext = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: m.nonce, additionalData: header, tagLength: 128 },
      epochKey, m.ciphertext));
  } catch {
    throw new CryptoError('decryption', 'the message does not open');
  }
  return parseContent(plaintext);
}

export function newSessionKey() {
  return crypto.getRandomValues(new Uint8Array(32));
}

export { equalBytes };
