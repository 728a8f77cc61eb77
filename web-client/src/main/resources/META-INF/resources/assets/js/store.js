// IndexedDB: this browser's identities (private keys as non-extractable CryptoKeys, which survive
// structured clone without exposing their bytes) and the TOFU pins of each account's contacts.
// Nothing here is a token; tokens live in memory only.

const DB = 'e2echat';
const VERSION = 1;

let opened;

function db() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('identities', { keyPath: 'userId' });
      req.result.createObjectStore('pins', { keyPath: ['owner', 'contact'] });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

async function run(store, mode, op) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(store, mode);
    const req = op(tx.objectStore(store));
    let result;
    if (req) req.onsuccess = () => { result = req.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** {userId, username, current, versions: {[keyVersion]: {signingKey, kemKey, signingPublicKey, kemPublicKey, kemKeySignature}}} */
export function saveAccount(account) {
  return run('identities', 'readwrite', s => s.put(account));
}

export function loadAccount(userId) {
  return run('identities', 'readonly', s => s.get(userId));
}

export function listAccounts() {
  return run('identities', 'readonly', s => s.getAll());
}

export async function deleteAccountData(userId) {
  await run('identities', 'readwrite', s => s.delete(userId));
  const pins = await run('pins', 'readonly', s => s.getAll());
  await run('pins', 'readwrite', s => {
    pins.filter(p => p.owner === userId).forEach(p => s.delete([p.owner, p.contact]));
  });
}

/** {owner, contact, keyVersion, fingerprint, byVersion: {[keyVersion]: fingerprintHex}} */
export function loadPin(owner, contact) {
  return run('pins', 'readonly', s => s.get([owner, contact]));
}

export function savePin(pin) {
  return run('pins', 'readwrite', s => s.put(pin));
}
