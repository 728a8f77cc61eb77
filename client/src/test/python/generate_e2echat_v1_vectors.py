#!/usr/bin/env python3
"""Writes client/src/test/resources/test-vectors/e2echat-v1-interop.json.

An implementation of the e2echat v1 encodings (docs/crypto.md) independent of the Java SDK: Python's
`cryptography` package (>= 44) for X25519, Ed25519, HKDF, AES-GCM and Argon2id, and HPKE base mode
(RFC 9180) written out below because that package's HPKE API takes no AAD. The Java tests open and
verify what this script seals and signs, and compare every canonical byte string, so the two
implementations must agree byte for byte. The HPKE code is first checked against RFC 9180 A.1.1.

Run from the repository root:  python3 client/src/test/python/generate_e2echat_v1_vectors.py
Every input is fixed, so the output is the same on every run.
"""
import hashlib
import hmac
import json
import os
import struct
import unicodedata

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "test-vectors", "e2echat-v1-interop.json")
RFC9180 = os.path.join(HERE, "..", "resources", "test-vectors", "hpke-rfc9180-a1-base.json")

SUITE = "X25519-Ed25519-AES256GCM-v1"
RAW = serialization.Encoding.Raw


# ---------------------------------------------------------------- canonical encodings
def field(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    assert len(b) <= 0xFFFF
    return struct.pack(">H", len(b)) + b


def label(s):
    return s.encode("ascii") + b"\x00"


def u8(v):
    return struct.pack(">B", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


# ---------------------------------------------------------------- HPKE (RFC 9180), base mode, DHKEM(X25519)
def hkdf_extract(salt, ikm):
    return hmac.new(salt or b"\x00" * 32, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def labeled_extract(suite_id, salt, lbl, ikm):
    return hkdf_extract(salt, b"HPKE-v1" + suite_id + lbl + ikm)


def labeled_expand(suite_id, prk, lbl, info, length):
    return hkdf_expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite_id + lbl + info, length)


KEM_SUITE = b"KEM" + struct.pack(">H", 0x0020)


def derive_key_pair(ikm):
    prk = labeled_extract(KEM_SUITE, b"", b"dkp_prk", ikm)
    sk = labeled_expand(KEM_SUITE, prk, b"sk", b"", 32)
    return X25519PrivateKey.from_private_bytes(sk)


def pub(k):
    return k.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)


def encap(pk_r, sk_e):
    dh = sk_e.exchange(X25519PublicKey.from_public_bytes(pk_r))
    enc = pub(sk_e)
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", enc + pk_r, 32), enc


def key_schedule(shared_secret, info, aead_id, nk):
    suite_id = b"HPKE" + struct.pack(">HHH", 0x0020, 0x0001, aead_id)
    psk_id_hash = labeled_extract(suite_id, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(suite_id, b"", b"info_hash", info)
    ctx = b"\x00" + psk_id_hash + info_hash
    secret = labeled_extract(suite_id, shared_secret, b"secret", b"")
    return labeled_expand(suite_id, secret, b"key", ctx, nk), labeled_expand(suite_id, secret, b"base_nonce", ctx, 12)


def hpke_seal(pk_r, info, aad, pt, sk_e, aead_id=0x0002, nk=32):
    shared, enc = encap(pk_r, sk_e)
    key, nonce = key_schedule(shared, info, aead_id, nk)
    return enc, AESGCM(key).encrypt(nonce, pt, aad)  # sequence number 0: nonce = base_nonce


def check_hpke_against_rfc9180():
    with open(RFC9180) as f:
        v = json.load(f)["vector"]
    sk_e = derive_key_pair(bytes.fromhex(v["ikmE"]))
    sk_r = derive_key_pair(bytes.fromhex(v["ikmR"]))
    assert pub(sk_e).hex() == v["pkEm"] and pub(sk_r).hex() == v["pkRm"]
    first = v["encryptions"][0]
    enc, ct = hpke_seal(bytes.fromhex(v["pkRm"]), bytes.fromhex(v["info"]), bytes.fromhex(first["aad"]),
                        bytes.fromhex(first["pt"]), sk_e, aead_id=0x0001, nk=16)
    assert enc.hex() == v["enc"] and ct.hex() == first["ct"], "HPKE implementation disagrees with RFC 9180 A.1.1"


# ---------------------------------------------------------------- identities
class Ident:
    def __init__(self, signing_seed_hex, kem_private_hex, key_version):
        self.signing = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(signing_seed_hex))
        self.kem = X25519PrivateKey.from_private_bytes(bytes.fromhex(kem_private_hex))
        self.key_version = key_version
        self.signing_pub = self.signing.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
        self.kem_pub = pub(self.kem)
        self.kem_sig = self.signing.sign(kem_key_signature_input(self.signing_pub, self.kem_pub))
        self.fingerprint = hashlib.sha256(
            label("e2echat/fingerprint/v1") + field(SUITE) + field(self.signing_pub) + field(self.kem_pub)).digest()


def kem_key_signature_input(signing_pub, kem_pub):
    return label("e2echat/kem-key/v1") + field(SUITE) + field(signing_pub) + field(kem_pub)


def fingerprint_digits(fp):
    return " ".join("%05d" % (int.from_bytes(fp[i * 5:i * 5 + 5], "big") % 100000) for i in range(6))


def safety_number(fp_a, fp_b):
    a, b = fingerprint_digits(fp_a), fingerprint_digits(fp_b)
    return a + " " + b if a <= b else b + " " + a


def identity_json(i, signing_seed_hex, kem_private_hex):
    return {
        "signingPrivateKey": signing_seed_hex, "kemPrivateKey": kem_private_hex, "keyVersion": i.key_version,
        "signingPublicKey": i.signing_pub.hex(), "kemPublicKey": i.kem_pub.hex(),
        "kemKeySignatureInput": kem_key_signature_input(i.signing_pub, i.kem_pub).hex(),
        "kemKeySignature": i.kem_sig.hex(), "fingerprint": i.fingerprint.hex(),
        "fingerprintDigits": fingerprint_digits(i.fingerprint),
    }


MAX_PLAINTEXT_DEPTH = 32


def nested(depth):
    """A plaintext whose deepest path has `depth` containers, the top-level object counted as 1."""
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    return ('{"type":"nesting","n":' + inner + "}" if depth > 1 else '{"type":"nesting"}').encode("ascii")


def depth_of(value):
    """crypto.md section 7: containers on the deepest path; scalars add nothing."""
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


def main():
    check_hpke_against_rfc9180()

    # Secret keys borrowed from RFC 8032 7.1 (TEST 1, 2) and RFC 7748 6.1 (Alice, Bob): public, fixed.
    alice_seeds = ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                   "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    bob_seeds = ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                 "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    alice = Ident(*alice_seeds, key_version=1)
    bob = Ident(*bob_seeds, key_version=3)

    session_id, epoch = "sess-7f3a", 7
    alice_id, bob_id = "user-alice", "user-bob"
    session_key = bytes(range(32))

    # Envelope: Alice wraps the epoch key for Bob.
    ikm_e = bytes([0x42]) * 32
    info = label("e2echat/envelope/v1") + field(session_id) + u64(epoch)
    aad = field(session_id) + u64(epoch) + field(bob_id) + u32(bob.key_version)
    enc, env_ct = hpke_seal(bob.kem_pub, info, aad, session_key, derive_key_pair(ikm_e))
    env_sig_input = (label("e2echat/envelope-sig/v1") + field(SUITE) + field(session_id) + u64(epoch)
                     + field(bob_id) + u32(bob.key_version) + field(alice_id) + u32(alice.key_version)
                     + field(enc) + field(env_ct))
    env_sig = alice.signing.sign(env_sig_input)

    # Message: Alice sends to the session at the same epoch.
    client_message_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
    text = "h\u00e9llo \"w\u00f6rld\"\n\\ \U0001F600"
    plaintext = json.dumps({"type": "text", "text": text}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    nonce = bytes(range(12))
    header = (label("e2echat/message/v1") + u8(1) + field(session_id) + u64(epoch) + field(alice_id)
              + field(client_message_id))
    msg_ct = AESGCM(session_key).encrypt(nonce, plaintext, header)
    msg_sig_input = label("e2echat/message-sig/v1") + field(header) + field(nonce) + field(msg_ct)
    msg_sig = alice.signing.sign(msg_sig_input)

    # Alice's private keys at rest. The passphrase is given in NFD; the KDF input is its NFC form.
    passphrase_nfd = unicodedata.normalize("NFD", "p\u00e4ssw\u00f6rd \u00e9t\u00e9")
    m, t, p = 19456, 2, 1
    salt, rest_nonce = bytes([0xA5]) * 16, bytes([0x5A]) * 12
    key = Argon2id(salt=salt, length=32, iterations=t, lanes=p, memory_cost=m).derive(
        unicodedata.normalize("NFC", passphrase_nfd).encode("utf-8"))
    keys_plain = (label("e2echat/private-keys/v1") + field(SUITE) + u32(alice.key_version)
                  + field(bytes.fromhex(alice_seeds[0])) + field(bytes.fromhex(alice_seeds[1])))
    rest_header = (label("e2echat/key-at-rest/v1") + u8(1) + u8(0x13) + u32(m) + u32(t) + u32(p) + field(salt)
                   + u8(1) + field(rest_nonce))
    sealed = rest_header + field(AESGCM(key).encrypt(rest_nonce, keys_plain, rest_header))

    out = {
        "description": "e2echat suite " + SUITE + " interop vectors, generated by "
                       "client/src/test/python/generate_e2echat_v1_vectors.py (independent of the Java SDK). "
                       "All byte values hex.",
        "suite": SUITE,
        "alice": identity_json(alice, *alice_seeds),
        "bob": identity_json(bob, *bob_seeds),
        "safetyNumber": safety_number(alice.fingerprint, bob.fingerprint),
        "envelope": {
            "sessionId": session_id, "epoch": epoch, "sessionKey": session_key.hex(),
            "senderUserId": alice_id, "senderKeyVersion": alice.key_version,
            "recipientUserId": bob_id, "recipientKeyVersion": bob.key_version,
            "ephemeralIkm": ikm_e.hex(), "info": info.hex(), "aad": aad.hex(),
            "enc": enc.hex(), "ciphertext": env_ct.hex(),
            "signatureInput": env_sig_input.hex(), "signature": env_sig.hex(),
        },
        "message": {
            "sessionId": session_id, "epoch": epoch, "epochKey": session_key.hex(),
            "senderId": alice_id, "senderKeyVersion": alice.key_version, "clientMessageId": client_message_id,
            "type": "text", "text": text, "plaintext": plaintext.hex(), "nonce": nonce.hex(),
            "header": header.hex(), "ciphertext": msg_ct.hex(),
            "signatureInput": msg_sig_input.hex(), "signature": msg_sig.hex(),
        },
        "plaintextNesting": {
            "maxDepth": MAX_PLAINTEXT_DEPTH,
            "cases": [{"depth": depth_of(json.loads(nested(d))), "plaintext": nested(d).hex(),
                       "valid": depth_of(json.loads(nested(d))) <= MAX_PLAINTEXT_DEPTH} for d in (32, 33, 34)],
        },
        "keyAtRest": {
            "passphrase": passphrase_nfd, "memoryKiB": m, "iterations": t, "parallelism": p,
            "salt": salt.hex(), "nonce": rest_nonce.hex(), "derivedKey": key.hex(),
            "privateKeysPlaintext": keys_plain.hex(), "sealed": sealed.hex(),
        },
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main()
