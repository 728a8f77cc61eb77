package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;

/**
 * One user's end-to-end-encrypted chat client, a facade over its parts: {@link Authentication}
 * (login and tokens; the password is never kept), {@link OwnIdentities} (this user's key versions,
 * rotation and renewal before expiry), {@link Contacts} (the directory and TOFU pins),
 * {@link Sessions} (sessions, rotations, envelopes and epoch keys), {@link Messaging} (sending,
 * decrypting, timelines, catch-up and repair), {@link LiveConnection} (the gateway WebSocket and
 * reconnection) and {@link Transport} (raw HTTP). Key material and plaintext never leave it except
 * as ciphertext; nothing here logs.
 */
public final class ChatClient implements AutoCloseable {

    private final String userId;
    private final Listeners listeners = new Listeners();
    private final Authentication auth;
    private final OwnIdentities own;
    private final Contacts contacts;
    private final Sessions sessions;
    private final Messaging messaging;
    private final LiveConnection live;
    private volatile KeyRenewal renewalAtSignIn;

    private ChatClient(Endpoints endpoints, Transport transport, String userId, String username,
            List<Identity> identities, KeyPolicy policy) {
        this.userId = userId;
        this.auth = new Authentication(endpoints, transport, username);
        transport.authenticateWith(auth);
        this.own = new OwnIdentities(endpoints, transport, identities, Clock.systemUTC());
        own.policy(policy);
        this.contacts = new Contacts(endpoints, transport, own, userId);
        contacts.tofu().addListener(change -> listeners.each(l -> l.onIdentityChanged(change)));
        this.sessions = new Sessions(endpoints, transport, own, contacts, userId);
        this.messaging = new Messaging(endpoints, transport, own, contacts, sessions, userId, listeners);
        this.live = new LiveConnection(endpoints, transport, auth, messaging, listeners, username, this::renewAndTell);
        if (policy.automatic()) {
            Duration check = policy.renewWithin().dividedBy(2);
            live.every(check.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                    : check.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : check, this::renewAndTell);
        }
    }

    private static Transport transport() {
        return new Transport(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /**
     * Generates a fresh identity, registers it with user-service and logs in. The private keys
     * stay in the returned client.
     */
    public static ChatClient register(Endpoints endpoints, String username, String displayName, String password) {
        return register(endpoints, username, displayName, password, KeyPolicy.DEFAULT);
    }

    /** {@link #register(Endpoints, String, String, String)} with keys that expire and renew under {@code policy}. */
    public static ChatClient register(Endpoints endpoints, String username, String displayName, String password,
            KeyPolicy policy) {
        Identity identity = Identity.generate(1);
        Transport transport = transport();
        ObjectNode body = transport.json().createObjectNode();
        body.put("username", username).put("displayName", displayName).put("password", password);
        Instant expiresAt = policy.lifetime() == null ? null : Instant.now().plus(policy.lifetime());
        body.set("identity", new OwnIdentities(endpoints, transport, List.of(identity), Clock.systemUTC())
                .uploadBody(identity.publicIdentity(), expiresAt));
        JsonNode user = transport.call("POST", endpoints.userService(), "/v1/users", body, false);
        int version = user.path("currentKeyVersion").asInt();
        if (version != identity.keyVersion()) {
            throw new IllegalStateException("user-service assigned key version " + version + ", expected "
                    + identity.keyVersion());
        }
        ChatClient client = new ChatClient(endpoints, transport, user.path("id").asText(), username,
                List.of(identity), policy);
        client.auth.login(password);
        return client;
    }

    /**
     * A client for an existing account from its saved identities (all versions, so old envelopes
     * still open; the highest is current), logged in; a key about to expire is renewed at once
     * ({@link #renewalAtSignIn()}).
     */
    public static ChatClient restore(Endpoints endpoints, String userId, String username, String password,
            List<Identity> identities) {
        return restore(endpoints, userId, username, password, identities, KeyPolicy.DEFAULT);
    }

    /** {@link #restore(Endpoints, String, String, String, List)} under {@code policy}. */
    public static ChatClient restore(Endpoints endpoints, String userId, String username, String password,
            List<Identity> identities, KeyPolicy policy) {
        ChatClient client = new ChatClient(endpoints, transport(), userId, username, identities, policy);
        client.auth.login(password);
        client.renewAtSignIn();
        return client;
    }

    /**
     * Like {@link #restore}, but continues an earlier login with its refresh token instead of the
     * password (no login attempt is spent); when that token is refused (spent, revoked, expired)
     * it logs in with the password instead. Save {@link #refreshToken()} afterwards: the one
     * given here is spent.
     */
    public static ChatClient resume(Endpoints endpoints, String userId, String username, String password,
            List<Identity> identities, String refreshToken) {
        return resume(endpoints, userId, username, password, identities, refreshToken, KeyPolicy.DEFAULT);
    }

    /** {@link #resume(Endpoints, String, String, String, List, String)} under {@code policy}. */
    public static ChatClient resume(Endpoints endpoints, String userId, String username, String password,
            List<Identity> identities, String refreshToken, KeyPolicy policy) {
        ChatClient client = new ChatClient(endpoints, transport(), userId, username, identities, policy);
        try {
            client.auth.resume(refreshToken);
        } catch (ChatApiException e) {
            if (e.status() != 401) {
                throw e;
            }
            client.auth.login(password);
        }
        client.renewAtSignIn();
        return client;
    }

    private void renewAtSignIn() {
        if (own.policy().automatic()) {
            renewalAtSignIn = own.renewIfDue(userId).orElse(null);
        }
    }

    /** Renews a key that is due and tells the listeners; runs periodically and after each reconnect. */
    private void renewAndTell() {
        if (own.policy().automatic()) {
            own.renewIfDue(userId).ifPresent(r -> live.onEventThread(() -> listeners.each(l -> l.onIdentityRenewed(r))));
        }
    }

    // ---------------------------------------------------------------- account and identity

    /** The renewal made while signing in (the key was about to expire or had expired), if any. */
    public Optional<KeyRenewal> renewalAtSignIn() {
        return Optional.ofNullable(renewalAtSignIn);
    }

    /**
     * Renews this user's key now if it expires within the policy's window or has expired (a new
     * version with fresh keys; under {@link KeyPolicy#MANUAL} only an expired key); listeners hear
     * {@link ChatListener#onIdentityRenewed}.
     */
    public Optional<KeyRenewal> renewIdentityIfDue() {
        Optional<KeyRenewal> renewal = own.renewIfDue(userId);
        renewal.ifPresent(r -> listeners.each(l -> l.onIdentityRenewed(r)));
        return renewal;
    }

    /**
     * The current refresh token, to continue this login in a later process ({@link #resume}).
     * It is a credential: store it only encrypted, never log it.
     */
    public String refreshToken() {
        return auth.refreshToken();
    }

    /** Logs in again with the password (which is not kept). */
    public void login(String password) {
        auth.login(password);
    }

    /** Exchanges the refresh token for new tokens (the old refresh token is spent; never retried blindly). */
    public void refresh() {
        auth.refresh();
    }

    /** This user's identity at {@code keyVersion} (private keys included), for saving it encrypted at rest. */
    public Identity ownIdentity(int keyVersion) {
        Identity mine = own.at(keyVersion);
        if (mine == null) {
            throw new IllegalArgumentException("no identity version " + keyVersion);
        }
        return mine;
    }

    public String userId() {
        return userId;
    }

    public String username() {
        return auth.username();
    }

    public PublicIdentity publicIdentity() {
        return own.current().publicIdentity();
    }

    /**
     * Rotates this user's identity: fresh signing and KEM keys uploaded as the next version (with
     * the policy's lifetime), used for everything new. Sessions then require a rekey; earlier
     * versions are kept to open old envelopes.
     *
     * @return the new key version
     */
    public int rotateIdentity() {
        return own.rotate(own.expiryForNewKey());
    }

    /** Revokes one of this user's identity versions (sessions holding envelopes for it then need a rekey). */
    public void revokeIdentity(int keyVersion) {
        own.revoke(keyVersion);
    }

    /** Deletes the account after re-confirming the password (user-service revokes its keys and removes it everywhere). */
    public void deleteAccount(String password) {
        live.disconnect();
        auth.deleteAccount(password);
    }

    // ---------------------------------------------------------------- contacts

    public TofuStore tofu() {
        return contacts.tofu();
    }

    /** The id of the user with this exact username (case-insensitive), or a 404 ChatApiException. */
    public String userIdOf(String username) {
        return contacts.userIdOf(username);
    }

    /** The username of a user id, as user-service answers it. */
    public String usernameOf(String userId) {
        return contacts.usernameOf(userId);
    }

    /**
     * The verified and pinned public identity of {@code user} at its current key version.
     *
     * @throws IdentityChangedException it differs from the pin
     */
    public PublicIdentity currentIdentity(String user) {
        return contacts.current(user);
    }

    /** The verified and pinned public identity of {@code user} at {@code keyVersion} (for checking old signatures). */
    public PublicIdentity identityAt(String user, int keyVersion) {
        return contacts.at(user, keyVersion);
    }

    public void addListener(ChatListener listener) {
        listeners.add(listener);
    }

    // ---------------------------------------------------------------- sessions

    /** GetSessions: the first page of this user's sessions, most recently active first. */
    public JsonNode sessions() {
        return sessions.list();
    }

    /** The session as this (current) member sees it. */
    public JsonNode session(String sessionId) {
        return sessions.get(sessionId);
    }

    /**
     * The direct session with {@code otherUserId}: created with a fresh key, or, when it already
     * exists (200), the existing one, whose key comes from this user's envelope.
     *
     * @return the session id
     */
    public String createDirect(String otherUserId, Duration unknownMemberPatience) throws InterruptedException {
        return sessions.create("DIRECT", List.of(otherUserId), unknownMemberPatience);
    }

    /**
     * Creates a group with the given members (role {@code MEMBER}) and an epoch-1 key wrapped for
     * every member including this user. A member session-service does not know yet ({@code 422
     * unknown-member}) is retried until {@code unknownMemberPatience} has passed.
     *
     * @return the session id
     */
    public String createGroup(List<String> memberIds, Duration unknownMemberPatience) throws InterruptedException {
        return sessions.create("GROUP", memberIds, unknownMemberPatience);
    }

    /**
     * Starts a new epoch with a fresh key wrapped for every active member (protocol.md, rotating).
     *
     * @return the session's epoch afterwards
     */
    public long rotate(String sessionId) {
        return sessions.rotate(sessionId, List.of());
    }

    /**
     * Adds members (owners and admins only) together with a rotation: they cannot read earlier epochs.
     *
     * @return the session's epoch afterwards
     */
    public long addMembers(String sessionId, List<String> newMemberIds) {
        if (newMemberIds.isEmpty()) {
            throw new IllegalArgumentException("no members to add");
        }
        return sessions.rotate(sessionId, newMemberIds);
    }

    /** Removes a member (owners and admins); the session then requires a rekey before the next send. */
    public void removeMember(String sessionId, String memberId) {
        sessions.removeMember(sessionId, memberId);
    }

    /** This user's key for an epoch: from memory, else from its own envelope, verified and unwrapped. */
    public byte[] epochKey(String sessionId, long epoch) {
        return sessions.epochKey(sessionId, epoch);
    }

    /**
     * Fetches every envelope of this user's membership and unwraps each into memory.
     *
     * @return the epochs whose keys this user now holds, ascending
     */
    public List<Long> unwrapOwnEnvelopes(String sessionId) {
        return sessions.unwrapOwnEnvelopes(sessionId);
    }

    // ---------------------------------------------------------------- messages

    /**
     * Encrypts and sends a text message at the session's current epoch (REST). On {@code 409
     * stale-epoch} the new epoch's key is fetched and the same clientMessageId is resent; {@code
     * 409 rekey-required} is left to the caller, who decides to {@link #rotate}. When the outcome
     * is unknown — {@code 503} or no answer at all — the identical request is sent again after
     * {@code Retry-After} or a growing pause, for up to {@link #sendRetryWindow(Duration)}: the
     * server stores a clientMessageId at most once, so a retry never duplicates.
     *
     * @return the stored message's seq
     */
    public long send(String sessionId, String text) {
        return messaging.send(sessionId, text);
    }

    /** How long {@link #send} keeps repeating a request whose outcome is unknown (default 2 minutes). */
    public void sendRetryWindow(Duration window) {
        messaging.sendRetryWindow(window);
    }

    /**
     * Pages {@code after=lastSeq} until the server has no more, opening and adding every message
     * not yet processed (protocol.md, catch-up procedure); a seq that comes back under another
     * message id repairs the timeline ({@link ChatListener#onTimelineRepaired}).
     *
     * @return the number of new messages
     */
    public int catchUp(String sessionId) {
        return messaging.catchUp(sessionId);
    }

    /**
     * Reads a session's whole visible history again (scrollback), in seq order; a message that
     * cannot be shown is in the list as {@linkplain ReceivedMessage#readable() unreadable}, and
     * the rest still are. A timeline the answer contradicts is repaired from it.
     */
    public List<ReceivedMessage> readAll(String sessionId) {
        return messaging.readAll(sessionId);
    }

    public Timeline timeline(String sessionId) {
        return messaging.timeline(sessionId);
    }

    /** Processed messages of a session (unreadable ones included), deduped, in seq order. */
    public List<ReceivedMessage> messages(String sessionId) {
        return messaging.timeline(sessionId).messages();
    }

    // ---------------------------------------------------------------- live connection

    /** Opens the gateway WebSocket and waits for {@code hello}; live frames are then processed in order. */
    public void connect() {
        live.connect();
    }

    /**
     * Connects (unless connected) and keeps the socket: after any close this client did not ask
     * for, it reconnects by itself with exponential backoff and jitter (from {@code firstDelay}
     * up to {@code maxDelay}), refreshing the access token when it expired, and then catches up
     * every session it holds a timeline for. It gives up only when the account is deleted or the
     * login is revoked; listeners hear {@link ChatListener#onReconnecting} and
     * {@link ChatListener#onReconnected}. {@link #disconnect()} and {@link #close()} end it.
     */
    public void stayConnected(Duration firstDelay, Duration maxDelay) {
        live.stayConnected(firstDelay, maxDelay);
    }

    /** {@link #stayConnected(Duration, Duration)} from 0.5 s up to 30 s. */
    public void stayConnected() {
        stayConnected(Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    /** Connects and then catches up every given session (protocol.md, reconnect procedure). */
    public void reconnect(List<String> sessionIds) {
        live.reconnect(sessionIds);
    }

    /** Closes the socket normally (1000) and waits for the close to complete. */
    public void disconnect() {
        live.disconnect();
    }

    public boolean connected() {
        return live.connected();
    }

    /** Package-private for this package's tests: the part holding the epoch keys. */
    Sessions sessionKeys() {
        return sessions;
    }

    @Override
    public void close() {
        live.close();
        sessions.wipe();
    }
}
