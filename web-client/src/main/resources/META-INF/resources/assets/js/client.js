// What the Java SDK's ChatClient does, in the page: the REST APIs with refresh-token rotation,
// identities and TOFU pins, sessions and epoch keys, the WebSocket with catch-up and reconnect,
// and each session's timeline (dedupe by messageId, ordered by seq, no gaps).
import * as c from './crypto.js';
import { base64, fromBase64 } from './encoding.js';
import * as store from './store.js';

const MAX_ROTATION_ATTEMPTS = 4;

/** A refused request: status, slug (from the problem type), the problem itself and Retry-After. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.detail || problem?.title || 'HTTP ' + status);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || {};
    this.slug = (this.problem.type || '').replace('urn:e2echat:problem:', '');
    this.retryAfter = retryAfter;
  }

  is(status, slug) {
    return this.status === status && (!slug || this.slug === slug);
  }
}

/** A contact's identity differs from what this account pinned; nothing is wrapped to it until accepted. */
export class IdentityChanged extends Error {
  constructor(change) {
    super('the identity of ' + (change.username || change.userId) + ' changed');
    this.name = 'IdentityChanged';
    this.change = change;
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

function wireEnvelope(e) {
  return {
    recipientId: e.recipientUserId, recipientKeyVersion: e.recipientKeyVersion, senderKeyVersion: e.senderKeyVersion,
    suite: e.suite, enc: base64(e.enc), ciphertext: base64(e.ciphertext), signature: base64(e.signature),
  };
}

export class ChatClient {
  constructor(config) {
    this.config = config;
    this.listeners = new Set();
    this.reset();
  }

  reset() {
    this.tokens = null; // {userId, accessToken, refreshToken} — memory only
    this.account = null;
    this.epochKeys = new Map(); // sessionId -> Map(epoch -> CryptoKey)
    this.identities = new Map(); // userId/version -> verified public identity
    this.changes = new Map(); // userId -> unaccepted identity change
    this.sessions = [];
    this.timelines = new Map(); // sessionId -> {bySeq: Map, ids: Map(messageId -> seq), lastSeq, oldestSeq, hasOlder}
    this.pending = new Map(); // clientMessageId -> {sessionId, text, state, body, epoch}
    this.socket = null;
    this.connected = false;
    this.stopped = true;
    this.attempt = 0;
    this.refreshing = null;
  }

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(type, detail) {
    for (const l of this.listeners) l(type, detail);
  }

  get userId() {
    return this.tokens?.userId;
  }

  // ---------------------------------------------------------------- HTTP

  async call(method, base, path, body, auth = true, retried = false) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth) headers.Authorization = 'Bearer ' + this.tokens.accessToken;
    let response;
    try {
      response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
    } catch {
      throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached.' });
    }
    if (response.status === 401 && auth && !retried) {
      // refused before anything happened, so repeating once after a refresh is safe
      await this.refresh(this.tokens.accessToken);
      return this.call(method, base, path, body, auth, true);
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new ApiError(response.status, json, Number(response.headers.get('Retry-After')) || null);
    }
    return json;
  }

  users(method, path, body, auth) {
    return this.call(method, this.config.userService, path, body, auth);
  }

  sessionsApi(method, path, body) {
    return this.call(method, this.config.sessionService, path, body);
  }

  messagesApi(method, path, body) {
    return this.call(method, this.config.messageService, path, body);
  }

  keep(tokens) {
    this.tokens = { userId: tokens.userId, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
  }

  /** Spends the refresh token for a new pair (one refresh at a time: a spent token used twice revokes the login). */
  refresh(stale) {
    if (this.tokens.accessToken !== stale) return Promise.resolve();
    this.refreshing ??= (async () => {
      try {
        this.keep(await this.users('POST', '/v1/auth/refresh', { refreshToken: this.tokens.refreshToken }, false));
      } catch (e) {
        if (e.status === 401) this.emit('logged-out', 'Your login ended; log in again.');
        throw e;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  // ---------------------------------------------------------------- accounts

  async register(username, displayName, password) {
    const id = await c.generateIdentity();
    const user = await this.users('POST', '/v1/users', {
      username, displayName, password,
      identity: { suite: c.SUITE, signingPublicKey: base64(id.signingPublicKey), kemPublicKey: base64(id.kemPublicKey),
        kemKeySignature: base64(id.kemKeySignature) },
    }, false);
    const version = user.currentKeyVersion;
    await store.saveAccount({ userId: user.id, username: user.username, current: version, versions: { [version]: id }, reads: {} });
    await this.login(username, password);
  }

  async login(username, password) {
    this.keep(await this.users('POST', '/v1/auth/login', { username, password }, false));
    this.account = await store.loadAccount(this.userId);
    const me = await this.users('GET', '/v1/users/me');
    this.me = me;
    if (this.account && this.account.versions[me.currentKeyVersion]) {
      this.account.current = me.currentKeyVersion;
      return { keys: true };
    }
    return { keys: false };
  }

  /** This browser holds no private key for the account: upload a new key version made here. */
  async newKeysForThisBrowser() {
    this.account ??= { userId: this.userId, username: this.me.username, current: 0, versions: {}, reads: {} };
    await this.rotateIdentity();
  }

  async rotateIdentity() {
    const id = await c.generateIdentity();
    const key = await this.users('POST', '/v1/users/me/keys', {
      suite: c.SUITE, signingPublicKey: base64(id.signingPublicKey), kemPublicKey: base64(id.kemPublicKey),
      kemKeySignature: base64(id.kemKeySignature),
    });
    this.account.versions[key.version] = id;
    this.account.current = key.version;
    await store.saveAccount(this.account);
    return key.version;
  }

  async logout() {
    this.disconnect();
    const refreshToken = this.tokens?.refreshToken;
    this.reset();
    if (refreshToken) await this.users('POST', '/v1/auth/logout', { refreshToken }, false).catch(() => {});
  }

  async deleteAccount(password) {
    await this.users('DELETE', '/v1/users/me', { password });
    const userId = this.userId;
    this.disconnect();
    this.reset();
    await store.deleteAccountData(userId);
  }

  own(version = this.account.current) {
    const v = this.account.versions[version];
    return v && { userId: this.userId, keyVersion: Number(version), signingKey: v.signingKey, kemKey: v.kemKey,
      signingPublicKey: v.signingPublicKey, kemPublicKey: v.kemPublicKey };
  }

  async ownPublic(version = this.account.current) {
    const v = this.account.versions[version];
    return c.publicIdentity(c.SUITE, Number(version), v.signingPublicKey, v.kemPublicKey, v.kemKeySignature);
  }

  // ---------------------------------------------------------------- contacts and pins (crypto.md §10)

  async userByName(username) {
    return this.users('GET', '/v1/users/by-username/' + encodeURIComponent(username));
  }

  async trusted(userId, key, username) {
    const identity = await c.publicIdentity(key.suite, key.version, fromBase64(key.signingPublicKey),
      fromBase64(key.kemPublicKey), fromBase64(key.kemKeySignature));
    await this.checkPin(userId, identity, username);
    this.identities.set(userId + '/' + identity.keyVersion, identity);
    return identity;
  }

  /** The TofuStore rule: pin on first sight, older unseen versions as history, anything else is a change. */
  async checkPin(userId, identity, username) {
    const pin = await store.loadPin(this.userId, userId);
    const fp = identity.fingerprint;
    if (!pin) {
      await store.savePin({ owner: this.userId, contact: userId, keyVersion: identity.keyVersion, fingerprint: fp,
        digits: identity.digits, byVersion: { [identity.keyVersion]: fp } });
      return;
    }
    const known = pin.byVersion[identity.keyVersion];
    if (known === fp) return;
    if (known === undefined && identity.keyVersion < pin.keyVersion) {
      pin.byVersion[identity.keyVersion] = fp;
      await store.savePin(pin);
      return;
    }
    const mine = await this.ownPublic();
    const change = { userId, username, oldVersion: pin.keyVersion, oldFingerprint: pin.fingerprint,
      newVersion: identity.keyVersion, newFingerprint: fp, identity,
      safetyNumber: c.safetyNumber(mine.digits, identity.digits) };
    this.changes.set(userId, change);
    this.emit('identity-changed', change);
    throw new IdentityChanged(change);
  }

  /** The person compared safety numbers (or chose to trust the new key): pin it and go on. */
  async acceptIdentity(userId) {
    const change = this.changes.get(userId);
    if (!change) return;
    const pin = await store.loadPin(this.userId, userId);
    pin.byVersion[change.newVersion] = change.newFingerprint;
    if (change.newVersion >= pin.keyVersion) {
      pin.keyVersion = change.newVersion;
      pin.fingerprint = change.newFingerprint;
      pin.digits = change.identity.digits;
    }
    await store.savePin(pin);
    this.changes.delete(userId);
    this.identities.set(userId + '/' + change.newVersion, change.identity);
    this.emit('identity-accepted', userId);
    this.retryPending();
    await this.reopenBlocked(userId);
  }

  async currentIdentity(userId) {
    if (userId === this.userId) return this.ownPublic();
    const user = await this.users('GET', '/v1/users/' + encodeURIComponent(userId));
    if (!user.currentKey) throw new Error(user.username + ' has no usable key');
    return this.trusted(userId, user.currentKey, user.username);
  }

  async identityAt(userId, version) {
    if (userId === this.userId && this.account.versions[version]) return this.ownPublic(version);
    const cached = this.identities.get(userId + '/' + version);
    if (cached) return cached;
    const keys = await this.users('GET', '/v1/users/' + encodeURIComponent(userId) + '/keys');
    const key = keys.keys.find(k => k.version === version);
    if (!key) throw new Error('no key version ' + version + ' for ' + userId);
    return this.trusted(userId, key);
  }

  /** The safety number with a contact, from the identity pinned (or first seen now). */
  async safetyNumberWith(userId) {
    const theirs = await this.currentIdentity(userId);
    return c.safetyNumber((await this.ownPublic()).digits, theirs.digits);
  }

  // ---------------------------------------------------------------- sessions

  async loadSessions() {
    const all = [];
    for (let page = 0; page < 10; page++) {
      const answer = await this.sessionsApi('GET', '/v1/sessions?page=' + page + '&size=100');
      all.push(...answer.sessions);
      if (!answer.hasMore) break;
    }
    this.sessions = all;
    this.emit('sessions', all);
    return all;
  }

  session(sessionId) {
    return this.sessionsApi('GET', '/v1/sessions/' + encodeURIComponent(sessionId));
  }

  unread(s) {
    const read = this.account?.reads?.[s.id] ?? 0;
    return s.membership === 'ACTIVE' ? Math.max(0, (s.lastMessageSeq || 0) - read) : 0;
  }

  async markRead(sessionId, seq) {
    if ((this.account.reads[sessionId] ?? 0) >= seq) return;
    this.account.reads[sessionId] = seq;
    await store.saveAccount(this.account);
  }

  async envelopesFor(sessionId, epoch, recipients) {
    const key = c.newSessionKey();
    const sender = this.own();
    const out = [];
    for (const [userId, identity] of recipients) {
      out.push(wireEnvelope(await c.wrapEnvelope(key, sessionId, epoch, userId, identity, sender)));
    }
    return { key, envelopes: out };
  }

  /** Creates a DIRECT or GROUP session with the given user ids; an existing direct session is returned as it is. */
  async createSession(type, memberIds) {
    const sessionId = crypto.randomUUID();
    const recipients = new Map([[this.userId, await this.ownPublic()]]);
    for (const m of memberIds) recipients.set(m, await this.currentIdentity(m));
    const { key, envelopes } = await this.envelopesFor(sessionId, 1, recipients);
    let created;
    for (let attempt = 1; ; attempt++) {
      try {
        created = await this.sessionsApi('POST', '/v1/sessions', {
          sessionId, type, members: memberIds.map(userId => ({ userId, role: 'MEMBER' })), envelopes,
        });
        break;
      } catch (e) {
        // documented: a user who registered a moment ago may not be known yet; retry after a second
        if (!(e.is(422, 'unknown-member') && attempt < 20)) throw e;
        await sleep(500);
      }
    }
    if (created.id === sessionId) this.keysOf(sessionId).set(created.currentEpoch, await c.epochCryptoKey(key));
    key.fill(0);
    await this.loadSessions();
    return created.id;
  }

  keysOf(sessionId) {
    if (!this.epochKeys.has(sessionId)) this.epochKeys.set(sessionId, new Map());
    return this.epochKeys.get(sessionId);
  }

  /** A new epoch wrapped for every active member (plus those added); on stale-epoch the winner's key is used. */
  async rotate(sessionId, adding = []) {
    for (let attempt = 1; ; attempt++) {
      const s = await this.session(sessionId);
      const epoch = s.currentEpoch + 1;
      const recipients = new Map();
      for (const m of s.members.filter(m => m.active !== false)) recipients.set(m.userId, await this.currentIdentity(m.userId));
      for (const m of adding) recipients.set(m, await this.currentIdentity(m));
      const { key, envelopes } = await this.envelopesFor(sessionId, epoch, recipients);
      try {
        const rotated = await this.sessionsApi('POST', '/v1/sessions/' + encodeURIComponent(sessionId) + '/rotations', {
          epoch, addMembers: adding.map(userId => ({ userId, role: 'MEMBER' })), envelopes,
        });
        this.keysOf(sessionId).set(rotated.currentEpoch, await c.epochCryptoKey(key));
        return rotated.currentEpoch;
      } catch (e) {
        if (e.is(409, 'stale-epoch') && adding.length === 0) {
          await this.epochKey(sessionId, e.problem.currentEpoch);
          return e.problem.currentEpoch;
        }
        if (!(e.is(409, 'recipient-mismatch') && attempt < MAX_ROTATION_ATTEMPTS)) throw e;
      } finally {
        key.fill(0);
      }
    }
  }

  async addMembers(sessionId, userIds) {
    await this.rotate(sessionId, userIds);
    await this.loadSessions();
  }

  async removeMember(sessionId, userId) {
    await this.sessionsApi('DELETE', '/v1/sessions/' + encodeURIComponent(sessionId) + '/members/' + encodeURIComponent(userId));
    // cut the removed member off at once: the next epoch's key is wrapped to the remaining members only
    await this.rotate(sessionId);
    await this.loadSessions();
  }

  async leave(sessionId) {
    await this.sessionsApi('POST', '/v1/sessions/' + encodeURIComponent(sessionId) + '/leave');
    await this.loadSessions();
  }

  /** This account's key for an epoch: from memory, else its own envelope, verified against the wrapper's pinned identity. */
  async epochKey(sessionId, epoch) {
    const known = this.keysOf(sessionId).get(epoch);
    if (known) return known;
    const list = await this.sessionsApi('GET', '/v1/sessions/' + encodeURIComponent(sessionId) + '/envelopes?epoch=' + epoch);
    const e = list.find(x => x.epoch === epoch && x.recipientId === this.userId);
    if (!e) throw new Error('no envelope for epoch ' + epoch);
    const mine = this.own(e.recipientKeyVersion);
    if (!mine) throw new Error('this browser has no private key for key version ' + e.recipientKeyVersion);
    const sender = await this.identityAt(e.senderId, e.senderKeyVersion);
    const raw = await c.unwrapEnvelope({
      suite: e.suite, sessionId: e.sessionId, epoch: e.epoch, recipientUserId: e.recipientId,
      recipientKeyVersion: e.recipientKeyVersion, senderUserId: e.senderId, senderKeyVersion: e.senderKeyVersion,
      enc: fromBase64(e.enc), ciphertext: fromBase64(e.ciphertext), signature: fromBase64(e.signature),
    }, { sessionId, epoch, userId: this.userId, keyVersion: mine.keyVersion, kemKey: mine.kemKey,
      kemPublicKey: mine.kemPublicKey, senderUserId: e.senderId, sender });
    const key = await c.epochCryptoKey(raw);
    raw.fill(0);
    this.keysOf(sessionId).set(epoch, key);
    return key;
  }

  // ---------------------------------------------------------------- timelines

  timeline(sessionId) {
    if (!this.timelines.has(sessionId)) {
      this.timelines.set(sessionId, { bySeq: new Map(), ids: new Map(), lastSeq: 0, oldestSeq: null, hasOlder: false, loaded: false });
    }
    return this.timelines.get(sessionId);
  }

  /** Opens a session: its newest page (before=), then everything after it. */
  async open(sessionId) {
    const t = this.timeline(sessionId);
    if (!t.loaded) {
      const s = this.sessions.find(x => x.id === sessionId);
      const top = (s?.lastMessageSeq ?? s?.myLeftSeq ?? 0) + 1;
      const page = await this.messagesApi('GET', '/v1/sessions/' + encodeURIComponent(sessionId) + '/messages?before=' + top + '&limit=50');
      for (const m of page.messages.slice().reverse()) await this.accept(sessionId, m, false);
      t.hasOlder = page.hasMore;
      t.loaded = true;
    }
    await this.catchUp(sessionId);
    this.emit('timeline', sessionId);
  }

  /** Scrollback: the page before the oldest message held. */
  async older(sessionId) {
    const t = this.timeline(sessionId);
    if (!t.hasOlder || t.oldestSeq === null) return;
    const page = await this.messagesApi('GET', '/v1/sessions/' + encodeURIComponent(sessionId) + '/messages?before=' + t.oldestSeq + '&limit=50');
    for (const m of page.messages) await this.accept(sessionId, m, false);
    t.hasOlder = page.hasMore;
    this.emit('timeline', sessionId);
  }

  /** Pages after= the last seq held until hasMore is false (protocol.md, catch-up). */
  async catchUp(sessionId) {
    const t = this.timeline(sessionId);
    let cursor = t.lastSeq;
    for (;;) {
      const page = await this.messagesApi('GET', '/v1/sessions/' + encodeURIComponent(sessionId) + '/messages?after=' + cursor + '&limit=200');
      for (const m of page.messages) await this.accept(sessionId, m, false);
      if (!page.hasMore) break;
      cursor = page.nextCursor;
    }
    this.emit('timeline', sessionId);
  }

  /** One stored message, from the socket, a catch-up or scrollback: deduped, checked, decrypted. */
  async accept(sessionId, m, live) {
    const t = this.timeline(sessionId);
    const heldSeq = t.ids.get(m.messageId);
    const atSeq = t.bySeq.get(m.seq);
    if (heldSeq === m.seq) return;
    if (heldSeq !== undefined || (atSeq && atSeq.messageId !== m.messageId)) {
      // a seq held under another messageId: the server's answer wins; re-read the session from it
      await this.repair(sessionId);
      return;
    }
    if (live && t.loaded && m.seq > t.lastSeq + 1) {
      await this.catchUp(sessionId);
      if (t.ids.has(m.messageId)) return;
    }
    const entry = { messageId: m.messageId, seq: m.seq, senderId: m.senderId, senderUsername: m.senderUsername,
      senderDisplayName: m.senderDisplayName, serverTime: m.serverTime, clientMessageId: m.clientMessageId };
    try {
      const key = await this.epochKey(sessionId, m.epoch);
      const signer = await this.identityAt(m.senderId, m.senderKeyVersion);
      const content = await c.decryptMessage({
        suite: m.suite, formatVersion: m.formatVersion ?? 1, sessionId: m.sessionId, epoch: m.epoch, senderId: m.senderId,
        senderKeyVersion: m.senderKeyVersion, clientMessageId: m.clientMessageId, nonce: fromBase64(m.nonce),
        ciphertext: fromBase64(m.ciphertext), signature: fromBase64(m.signature),
      }, sessionId, key, signer);
      entry.text = content.type === 'text' ? content.text : null;
      entry.type = content.type;
    } catch (e) {
      entry.unreadable = e instanceof IdentityChanged
        ? 'Signed with a new key of ' + (m.senderUsername || m.senderId) + ': accept the key change to read it.'
        : 'This message could not be opened (' + e.message + ').';
      entry.blockedBy = e instanceof IdentityChanged ? m.senderId : undefined;
    }
    // a message may already be in the timeline as pending (our own send): it is stored now
    const p = this.pending.get(m.clientMessageId);
    if (p && m.senderId === this.userId) {
      this.pending.delete(m.clientMessageId);
    }
    if (t.ids.has(m.messageId)) return; // accepted meanwhile by another path
    t.bySeq.set(m.seq, entry);
    t.ids.set(m.messageId, m.seq);
    if (m.seq > t.lastSeq) t.lastSeq = m.seq;
    if (t.oldestSeq === null || m.seq < t.oldestSeq) t.oldestSeq = m.seq;
    if (live) this.emit('timeline', sessionId);
  }

  async repair(sessionId) {
    this.timelines.delete(sessionId);
    const t = this.timeline(sessionId);
    await this.loadSessions();
    t.loaded = false;
    await this.open(sessionId);
  }

  /** Re-reads the sessions holding messages that were unreadable before an identity change was accepted. */
  async reopenBlocked(userId) {
    for (const [sessionId, t] of [...this.timelines]) {
      if ([...t.bySeq.values()].some(e => e.blockedBy === userId)) await this.repair(sessionId);
    }
  }

  messages(sessionId) {
    const t = this.timeline(sessionId);
    const stored = [...t.bySeq.values()].sort((a, b) => a.seq - b.seq);
    const pending = [...this.pending.values()].filter(p => p.sessionId === sessionId)
      .map(p => ({ pending: true, clientMessageId: p.clientMessageId, text: p.text, state: p.state, problem: p.problem,
        senderId: this.userId, senderUsername: this.account.username }));
    return stored.concat(pending);
  }

  // ---------------------------------------------------------------- sending

  /** Encrypts and sends a text; it shows as pending until the gateway acks it as stored. */
  async send(sessionId, text) {
    const clientMessageId = crypto.randomUUID();
    const p = { sessionId, clientMessageId, text, state: 'encrypting' };
    this.pending.set(clientMessageId, p);
    this.emit('timeline', sessionId);
    await this.prepare(p);
  }

  async prepare(p, rotateFirst = false) {
    try {
      let s = this.sessions.find(x => x.id === p.sessionId);
      let epoch = p.epoch ?? s?.currentEpoch;
      if (rotateFirst || s?.rekeyRequired) {
        epoch = await this.rotate(p.sessionId);
        if (s) { s.rekeyRequired = false; s.currentEpoch = epoch; }
      }
      if (!epoch) epoch = (await this.session(p.sessionId)).currentEpoch;
      const key = await this.epochKey(p.sessionId, epoch);
      const m = await c.encryptMessage(key, p.sessionId, epoch, this.own(), p.clientMessageId, p.text);
      p.epoch = epoch;
      p.body = { type: 'send', sessionId: p.sessionId, clientMessageId: p.clientMessageId, epoch, suite: m.suite,
        nonce: base64(m.nonce), ciphertext: base64(m.ciphertext), signature: base64(m.signature),
        clientTime: new Date().toISOString(), formatVersion: m.formatVersion, senderKeyVersion: m.senderKeyVersion };
      p.state = 'pending';
      p.problem = null;
      this.transmit(p);
    } catch (e) {
      p.state = e instanceof IdentityChanged ? 'blocked' : 'failed';
      p.blockedBy = e instanceof IdentityChanged ? e.change.userId : undefined;
      p.problem = e.message;
      if (!(e instanceof IdentityChanged)) this.emit('error', 'Not sent: ' + e.message);
    }
    this.emit('timeline', p.sessionId);
  }

  transmit(p) {
    if (this.connected && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(p.body));
    } // else: sent unchanged (same clientMessageId, same bytes) when the socket is back
  }

  /** Sends that waited for an accepted identity change or a reconnect. */
  retryPending() {
    for (const p of this.pending.values()) {
      if (p.state === 'blocked' && !this.changes.has(p.blockedBy)) this.prepare(p, true);
      else if (p.state === 'pending' && p.body) this.transmit(p);
    }
  }

  async onSendError(p, problem) {
    const slug = (problem.type || '').replace('urn:e2echat:problem:', '');
    if (slug === 'stale-epoch') {
      p.epoch = problem.currentEpoch;
      await this.prepare(p);
    } else if (slug === 'rekey-required') {
      await this.prepare(p, true);
    } else if (slug === 'nonce-reused') {
      await this.prepare(p);
    } else if (slug === 'busy' || slug === 'dependency-unavailable') {
      setTimeout(() => this.transmit(p), 1000);
    } else {
      p.state = 'failed';
      p.problem = problem.detail || problem.title;
      this.emit('timeline', p.sessionId);
    }
  }

  // ---------------------------------------------------------------- WebSocket (protocol.md)

  start() {
    this.stopped = false;
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    const url = this.config.gateway || (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    const carrier = 'quarkus-http-upgrade#Authorization#' + encodeURIComponent('Bearer ' + this.tokens.accessToken);
    const ws = new WebSocket(url, ['chat.v1', carrier]);
    this.socket = ws;
    // one frame at a time, in the order they came: live messages arrive in seq order per session
    let frames = Promise.resolve();
    ws.onmessage = event => {
      const frame = JSON.parse(event.data);
      frames = frames.then(() => this.onFrame(frame)).catch(e => this.emit('error', e.message));
    };
    ws.onclose = event => {
      if (this.socket !== ws) return;
      this.connected = false;
      this.emit('status', 'reconnecting');
      if (event.code === 1008 && /account deleted/.test(event.reason)) {
        this.stopped = true;
        this.emit('logged-out', 'This account was deleted.');
        return;
      }
      this.scheduleReconnect(event.code === 1008 && /token expired/.test(event.reason));
    };
  }

  scheduleReconnect(refreshFirst) {
    if (this.stopped) return;
    this.attempt++;
    // 0.5 s doubling to 30 s, half fixed and half random
    const base = Math.min(500 * 2 ** (this.attempt - 1), 30000);
    const delay = refreshFirst ? 0 : base / 2 + Math.random() * base / 2;
    setTimeout(async () => {
      if (this.stopped) return;
      // a handshake refused with 401 shows only as a failed socket: refresh after a failed attempt
      if (refreshFirst || this.attempt > 1) {
        try {
          await this.refresh(this.tokens.accessToken);
        } catch (e) {
          if (e.status === 401) return;
        }
      }
      this.connect();
    }, delay);
  }

  disconnect() {
    this.stopped = true;
    const ws = this.socket;
    this.socket = null;
    this.connected = false;
    if (ws) ws.close(1000);
  }

  async onFrame(frame) {
    switch (frame.type) {
      case 'hello':
        this.connected = true;
        this.attempt = 0;
        this.emit('status', 'connected');
        // connect first, then page: anything stored in between arrives on one path or both
        await this.loadSessions();
        for (const sessionId of this.timelines.keys()) await this.catchUp(sessionId);
        this.retryPending();
        break;
      case 'message':
        await this.accept(frame.message.sessionId, frame.message, true);
        this.bumpSession(frame.message);
        break;
      case 'ack': {
        const p = this.pending.get(frame.clientMessageId);
        if (p) {
          p.state = 'stored';
          p.seq = frame.seq;
          if (this.timeline(p.sessionId).ids.has(frame.messageId)) this.pending.delete(frame.clientMessageId);
          this.emit('timeline', p.sessionId);
        }
        break;
      }
      case 'error': {
        const p = frame.clientMessageId && this.pending.get(frame.clientMessageId);
        if (p) await this.onSendError(p, frame.problem);
        else this.emit('error', frame.problem.detail || frame.problem.title);
        break;
      }
      case 'session':
        await this.onSessionEvent(frame.event, frame.payload);
        break;
      default:
        break;
    }
  }

  bumpSession(m) {
    const s = this.sessions.find(x => x.id === m.sessionId);
    if (s) {
      s.lastMessageSeq = Math.max(s.lastMessageSeq || 0, m.seq);
      s.lastMessageAt = m.serverTime;
      this.sessions = [s, ...this.sessions.filter(x => x !== s)];
      this.emit('sessions', this.sessions);
    } else {
      this.loadSessions();
    }
  }

  async onSessionEvent(event, payload) {
    if (event === 'MemberRemoved' && payload.userId === this.userId) {
      this.keysOf(payload.sessionId); // keys of the epochs we were in stay readable
    }
    await this.loadSessions();
    this.emit('session-event', { event, payload });
  }
}
