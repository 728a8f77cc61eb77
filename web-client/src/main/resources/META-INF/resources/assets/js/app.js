// The page: log in or register, the session list, one conversation at a time. Every text node is
// set with textContent (never HTML), and nothing secret leaves memory except the private keys and
// pins, which store.js keeps in IndexedDB.
import { ChatClient, IdentityChanged } from './client.js';
import { listAccounts } from './store.js';

const app = document.getElementById('app');
let client;
let current = null; // open session id
let toastTimer;

/** h('tag.class#id', {attrs}, ...children): a DOM element; strings become text nodes. */
function h(spec, attrs = {}, ...children) {
  const [, tag, rest] = /^([a-z0-9]+)(.*)$/.exec(spec);
  const el = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function toast(text) {
  document.querySelector('.toast')?.remove();
  const el = h('div.toast', { role: 'status' }, text);
  document.body.append(el);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.remove(), 6000);
}

/** A refusal in words a person can act on (docs/api.md slugs). */
function explain(e) {
  const messages = {
    'username-taken': 'That username is taken.',
    'invalid-username': 'Usernames are 3–32 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    'invalid-display-name': 'Display names are 1–64 characters without control or invisible characters.',
    'invalid-password': 'Passwords are 12–256 characters.',
    'invalid-credentials': 'Wrong username or password.',
    'rate-limited': 'Too many attempts; wait a minute and try again.',
    'invalid-refresh-token': 'Your login ended; log in again.',
    'refresh-token-reused': 'Your login was used elsewhere and has been ended for safety; log in again.',
    'not-found': 'Not found.',
    'unknown-member': 'That user is not known to the chat service yet; try again in a moment.',
    'member-unavailable': 'That user has deleted their account or has no usable key.',
    'forbidden': 'Only owners and admins may do that.',
    'membership-ended': 'You are no longer a member of this chat.',
    'recipient-mismatch': 'The members changed meanwhile; try again.',
    'session-exists': 'That chat id is in use; try again.',
    'direct-session-busy': 'The chat is being created elsewhere; try again.',
    'invalid-members': 'Check the member list: distinct users, not yourself, at most 255 others.',
    'stale-sender-key': 'Your key changed in another window; reload the page.',
    'ciphertext-too-large': 'That message is too long.',
    'dependency-unavailable': 'A service is unavailable; try again shortly.',
    'busy': 'The service is busy; try again shortly.',
  };
  if (e instanceof IdentityChanged) return e.message + ': compare safety numbers and accept the new key first.';
  return (e.slug && messages[e.slug]) || e.message || String(e);
}

async function guarded(button, action) {
  if (button) button.disabled = true;
  try {
    await action();
  } catch (e) {
    toast(explain(e));
  } finally {
    if (button) button.disabled = false;
  }
}

// ------------------------------------------------------------------ log in / register

async function showAuth(message) {
  current = null;
  const accounts = await listAccounts();
  const error = h('p.error#auth-error', { role: 'alert' }, message || '');
  const reg = h('form.card#register-form', {},
    h('h2', {}, 'Create an account'),
    h('label', { for: 'reg-username' }, 'Username'), h('input#reg-username', { autocomplete: 'username', required: true }),
    h('label', { for: 'reg-display' }, 'Display name'), h('input#reg-display', { autocomplete: 'name', required: true }),
    h('label', { for: 'reg-password' }, 'Password (12 characters or more)'),
    h('input#reg-password', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12 }),
    h('div.row', {}, h('button#register', { type: 'submit' }, 'Register')));
  const login = h('form.card#login-form', {},
    h('h2', {}, 'Log in'),
    h('label', { for: 'login-username' }, 'Username'),
    h('input#login-username', { autocomplete: 'username', required: true, value: accounts.length === 1 ? accounts[0].username : undefined }),
    h('label', { for: 'login-password' }, 'Password'),
    h('input#login-password', { type: 'password', autocomplete: 'current-password', required: true }),
    h('div.row', {}, h('button#login', { type: 'submit' }, 'Log in')));
  reg.addEventListener('submit', ev => {
    ev.preventDefault();
    error.textContent = '';
    guardedAuth(reg.querySelector('button'), error, () => client.register(
      reg.querySelector('#reg-username').value.trim(), reg.querySelector('#reg-display').value, reg.querySelector('#reg-password').value)
      .then(() => ({ keys: true })));
  });
  login.addEventListener('submit', ev => {
    ev.preventDefault();
    error.textContent = '';
    guardedAuth(login.querySelector('button'), error, () => client.login(
      login.querySelector('#login-username').value.trim(), login.querySelector('#login-password').value));
  });
  app.replaceChildren(h('div.auth', {},
    h('h1', {}, 'e2echat'),
    h('p.muted', {}, 'Messages are encrypted in this page; the servers see only ciphertext.'),
    accounts.length ? h('p.muted#known-accounts', {}, 'Keys in this browser for: ' + accounts.map(a => a.username).join(', ')) : null,
    error, login, reg));
}

async function guardedAuth(button, error, action) {
  button.disabled = true;
  try {
    const result = await action();
    if (result.keys) await showMain();
    else showNoKeys();
  } catch (e) {
    error.textContent = explain(e);
  } finally {
    button.disabled = false;
  }
}

function showNoKeys() {
  const create = h('button#new-keys', {}, 'Create new keys in this browser');
  create.addEventListener('click', () => guarded(create, async () => {
    await client.newKeysForThisBrowser();
    await showMain();
  }));
  app.replaceChildren(h('div.auth', {}, h('div.card', {},
    h('h2', {}, 'No keys for this account in this browser'),
    h('p', {}, 'Your private keys live only where you created them. Create a new key version here: your contacts '
      + 'will be warned that your key changed, and messages sent before it cannot be read in this browser.'),
    h('div.row', {}, create, h('button.secondary', { onclick: () => logout() }, 'Log out')))));
}

// ------------------------------------------------------------------ main view

let shell;

async function showMain() {
  const status = h('span.status#status', {}, 'connecting');
  const deletePassword = h('input#delete-password', { type: 'password', autocomplete: 'current-password', 'aria-label': 'Password' });
  const deleteForm = h('form.inline#delete-form', {}, deletePassword, h('button.danger#delete-confirm', { type: 'submit' }, 'Delete'));
  deleteForm.addEventListener('submit', ev => {
    ev.preventDefault();
    if (!confirm('Delete your account? This cannot be undone.')) return;
    guarded(deleteForm.querySelector('button'), async () => {
      await client.deleteAccount(deletePassword.value);
      await showAuth('Your account was deleted.');
    });
  });
  const rotateIdentity = h('button.secondary#rotate-identity', {}, 'Rotate my keys');
  rotateIdentity.addEventListener('click', () => guarded(rotateIdentity, async () => {
    const v = await client.rotateIdentity();
    toast('New key version ' + v + '; each chat gets a new key with your next message.');
    renderMe();
  }));
  const topbar = h('header.topbar', {},
    h('span.who#me', {}, client.me.displayName + ' (@' + client.me.username + ')'), status,
    h('details', {}, h('summary', {}, 'Account'),
      h('p.digits#my-digits', {}),
      rotateIdentity, ' ', h('button.secondary#logout', { onclick: () => logout() }, 'Log out'),
      h('p.muted', {}, 'Delete account (enter your password):'), deleteForm));

  const newType = h('select#new-type', { 'aria-label': 'Chat type' }, h('option', { value: 'DIRECT' }, 'Direct'), h('option', { value: 'GROUP' }, 'Group'));
  const newMembers = h('input#new-members', { placeholder: 'usernames, comma-separated', 'aria-label': 'Usernames', required: true });
  const newChat = h('form#new-chat', {}, h('h2', {}, 'New chat'), newType, newMembers, h('button#create', { type: 'submit' }, 'Create'));
  newChat.addEventListener('submit', ev => {
    ev.preventDefault();
    guarded(newChat.querySelector('button'), async () => {
      const names = newMembers.value.split(',').map(s => s.trim()).filter(Boolean);
      if (newType.value === 'DIRECT' && names.length !== 1) throw new Error('A direct chat has exactly one other person.');
      const ids = [];
      for (const n of names) ids.push((await client.userByName(n)).id);
      const id = await client.createSession(newType.value, ids);
      newMembers.value = '';
      await openSession(id);
    });
  });
  const sidebar = h('nav.sidebar', { 'aria-label': 'Chats' }, newChat, h('h2', {}, 'Chats'), h('ul.sessions#sessions'));
  const conversation = h('section.conversation#conversation', { 'aria-label': 'Conversation' }, h('p.empty', {}, 'Choose a chat or start one.'));
  shell = h('div.shell', {}, topbar, sidebar, conversation);
  app.replaceChildren(shell);
  renderMe();
  client.start();
  await client.loadSessions();
}

async function renderMe() {
  const mine = await client.ownPublic();
  const el = document.getElementById('my-digits');
  if (el) el.textContent = 'My key v' + mine.keyVersion + ': ' + mine.digits;
}

function sessionTitle(s) {
  if (s.membership !== 'ACTIVE') return 'Left chat';
  const others = (s.members || []).filter(m => m.userId !== client.userId && m.active !== false);
  return (s.type === 'DIRECT' ? '' : 'Group: ') + (others.map(m => m.displayName || m.username).join(', ') || 'just you');
}

function renderSessions() {
  const list = document.getElementById('sessions');
  if (!list) return;
  list.replaceChildren(...client.sessions.map(s => {
    const unread = s.id === current ? 0 : client.unread(s);
    return h('li', {}, h('button', { 'data-session': s.id, 'aria-current': s.id === current ? 'true' : 'false', onclick: () => openSession(s.id) },
      h('span', {}, sessionTitle(s), ' ', s.rekeyRequired ? h('span.tag', { title: 'a new key is made with the next message' }, 'rekey') : null,
        s.membership !== 'ACTIVE' ? h('span.tag', {}, 'left') : null),
      unread ? h('span.badge', { 'aria-label': unread + ' unread' }, unread) : null));
  }));
}

async function openSession(sessionId) {
  current = sessionId;
  shell.classList.add('in-conversation');
  renderSessions();
  renderConversation();
  try {
    await client.open(sessionId);
  } catch (e) {
    toast(explain(e));
  }
}

/** The conversation's header: title, members (safety numbers, remove, add), new key, leave, warnings. */
function makeHeader(s) {
  const active = s.membership === 'ACTIVE';
  const me = (s.members || []).find(m => m.userId === client.userId);
  const manager = me && (me.role === 'OWNER' || me.role === 'ADMIN') && s.type === 'GROUP';
  const members = (s.members || []).filter(m => m.active !== false);
  const memberList = h('ul.members#members', {}, members.map(m => {
    const li = h('li', { 'data-user': m.userId }, h('span', {}, (m.displayName || m.username) + ' @' + m.username),
      h('span.tag', {}, m.role.toLowerCase()), m.deleted ? h('span.tag', {}, 'deleted') : null);
    if (m.userId !== client.userId) {
      const safety = h('button.secondary.safety', {}, 'Safety number');
      safety.addEventListener('click', () => guarded(safety, async () => {
        const n = await client.safetyNumberWith(m.userId);
        li.querySelector('.digits')?.remove();
        li.append(h('span.digits', { 'data-safety': m.userId }, n));
      }));
      li.append(safety);
      if (manager && (me.role === 'OWNER' || m.role === 'MEMBER')) {
        const remove = h('button.danger.remove', {}, 'Remove');
        remove.addEventListener('click', () => guarded(remove, async () => {
          await client.removeMember(current, m.userId);
          toast('Removed; the chat has a new key they do not have.');
        }));
        li.append(remove);
      }
    }
    return li;
  }));
  const addInput = h('input#add-username', { placeholder: 'username', 'aria-label': 'Username to add' });
  const addForm = h('form.inline#add-member', {}, addInput, h('button', { type: 'submit' }, 'Add'));
  addForm.addEventListener('submit', ev => {
    ev.preventDefault();
    guarded(addForm.querySelector('button'), async () => {
      const user = await client.userByName(addInput.value.trim());
      await client.addMembers(current, [user.id]);
      addInput.value = '';
    });
  });
  const leave = h('button.secondary#leave', {}, 'Leave');
  leave.addEventListener('click', () => guarded(leave, async () => {
    await client.leave(current);
  }));
  const rotate = h('button.secondary#rotate', {}, 'New key');
  rotate.addEventListener('click', () => guarded(rotate, async () => {
    await client.rotate(current);
    await client.loadSessions();
  }));
  return h('header', {},
    h('button.secondary.back', { onclick: () => { current = null; shell.classList.remove('in-conversation'); renderSessions(); } }, '← Chats'),
    h('h2#title', {}, sessionTitle(s)),
    active ? h('details#members-panel', { open: openPanel() }, h('summary', {}, members.length + ' members, epoch ' + s.currentEpoch), memberList,
      manager ? addForm : null, h('div.actions', {}, rotate, leave)) : h('p.muted', {}, 'You are no longer a member; earlier messages stay readable.'),
    h('div#warnings'));
}

function openPanel() {
  return document.getElementById('members-panel')?.open || false;
}

function renderHeader() {
  const s = client.sessions.find(x => x.id === current);
  const header = document.querySelector('#conversation > header');
  if (!s || !header) return;
  header.replaceWith(makeHeader(s));
  renderWarnings();
}

function renderConversation() {
  const s = client.sessions.find(x => x.id === current);
  const section = document.getElementById('conversation');
  if (!s || !section) return;
  const active = s.membership === 'ACTIVE';
  const older = h('button.secondary#older', {}, 'Load older messages');
  older.addEventListener('click', () => guarded(older, () => client.older(current)));
  const text = h('textarea#text', { 'aria-label': 'Message', placeholder: active ? 'Message (Enter sends, Shift+Enter: new line)' : 'You left this chat', disabled: !active });
  const send = h('button#send', { type: 'submit', disabled: !active }, 'Send');
  const composer = h('form.composer#composer', {}, text, send);
  text.addEventListener('keydown', ev => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      composer.requestSubmit();
    }
  });
  composer.addEventListener('submit', ev => {
    ev.preventDefault();
    const value = text.value;
    if (!value.trim() || send.disabled) return;
    text.value = '';
    client.send(current, value).catch(e => toast(explain(e)));
  });
  section.replaceChildren(makeHeader(s), h('div.messages#messages', { tabindex: '0', 'aria-label': 'Messages' }, older), composer);
  renderWarnings();
  renderMessages();
}

/** A contact's key changed: a loud warning, and no sending in chats with them until accepted. */
function renderWarnings() {
  const box = document.getElementById('warnings');
  if (!box) return;
  const s = client.sessions.find(x => x.id === current);
  const ids = new Set((s?.members || []).map(m => m.userId));
  const changes = [...client.changes.values()].filter(c => ids.has(c.userId));
  box.replaceChildren(...changes.map(c => {
    const accept = h('button.accept-identity', { 'data-user': c.userId }, 'I have checked; accept the new key');
    accept.addEventListener('click', () => guarded(accept, () => client.acceptIdentity(c.userId)));
    const name = (s.members.find(m => m.userId === c.userId) || {}).username || c.userId;
    return h('div.notice.identity-warning', { role: 'alert', 'data-user': c.userId },
      h('strong', {}, '⚠ The security key of ' + name + ' changed (version ' + c.oldVersion + ' → ' + c.newVersion + ').'),
      h('span', {}, 'This happens when they rotate keys or use a new device — or when someone is impersonating them. '
        + 'Compare this safety number with them in person or over another channel before you accept:'),
      h('p.digits', {}, c.safetyNumber), accept);
  }));
  const send = document.getElementById('send');
  const active = s?.membership === 'ACTIVE';
  if (send) send.disabled = !active || changes.length > 0;
  const text = document.getElementById('text');
  if (text) text.disabled = !active || changes.length > 0;
}

function renderMessages() {
  const box = document.getElementById('messages');
  if (!box || !current) return;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const t = client.timeline(current);
  const older = document.getElementById('older');
  older.hidden = !t.hasOlder;
  const items = client.messages(current).map(m => {
    const mine = m.senderId === client.userId;
    const state = m.pending ? m.state : 'stored';
    const who = mine ? 'You' : (m.senderDisplayName || m.senderUsername || m.senderId);
    const meta = h('span.meta', {}, who, m.serverTime ? ' · ' + new Date(m.serverTime).toLocaleTimeString() : '',
      mine ? ' · ' + ({ stored: '✓ stored', pending: 'sending…', encrypting: 'encrypting…', blocked: 'blocked: key change not accepted', failed: 'not sent: ' + (m.problem || '') })[state] : '');
    return h('div.message' + (mine ? '.mine' : '') + (m.unreadable ? '.unreadable' : ''),
      { 'data-seq': m.seq, 'data-state': state, 'data-message-id': m.messageId },
      meta, h('span.text', {}, m.unreadable || m.text || '(' + (m.type || 'empty') + ')'));
  });
  box.replaceChildren(older, ...items);
  if (atBottom || items.length < 60) box.scrollTop = box.scrollHeight;
  const last = [...t.bySeq.keys()].reduce((a, b) => Math.max(a, b), 0);
  if (last) client.markRead(current, last).then(renderSessions);
}

async function logout(message) {
  await client.logout();
  await showAuth(message);
}

async function main() {
  const config = await (await fetch('/config.json', { cache: 'no-store' })).json();
  client = new ChatClient(config);
  client.on((type, detail) => {
    switch (type) {
      case 'sessions':
        renderSessions();
        if (current) renderHeader();
        break;
      case 'timeline':
        if (detail === current) renderMessages();
        break;
      case 'status': {
        const el = document.getElementById('status');
        if (el) { el.textContent = detail; el.className = 'status ' + detail; }
        break;
      }
      case 'identity-changed':
      case 'identity-accepted':
        renderWarnings();
        break;
      case 'logged-out':
        logout(detail);
        break;
      case 'error':
        toast(detail);
        break;
      default:
        break;
    }
  });
  await showAuth();
}

main().catch(e => {
  app.replaceChildren(h('p.error', { role: 'alert' }, 'e2echat could not start: ' + e.message));
});
