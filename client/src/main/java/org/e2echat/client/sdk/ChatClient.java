package org.e2echat.client.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.e2echat.client.crypto.CryptoException;
import org.e2echat.client.crypto.EncryptedMessage;
import org.e2echat.client.crypto.Envelope;
import org.e2echat.client.crypto.Envelopes;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.MessageContent;
import org.e2echat.client.crypto.Messages;
import org.e2echat.client.crypto.PublicIdentity;
import org.e2echat.client.crypto.SessionKeys;
import org.e2echat.contracts.frames.Frames.CloseCodes;

/**
 * One user's end-to-end-encrypted chat client: registers and logs in, creates and rotates group
 * sessions with HPKE envelopes, sends and reads encrypted messages over REST and the gateway
 * WebSocket, pins contacts' identities (TOFU), and deletes the account. Key material and
 * plaintext never leave this object except as ciphertext; nothing here logs.
 */
public final class ChatClient implements AutoCloseable {

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(20);
    private static final int PAGE_SIZE = 200;
    private static final int MAX_ROTATION_ATTEMPTS = 5;
    /** Seqs below {@code lastSeq} that catch-up reads again, to compare them with the server's. */
    static final int CATCH_UP_OVERLAP = 20;
    /** Repairs one catch-up makes before it gives up on a server whose history keeps changing. */
    private static final int MAX_REPAIRS = 3;

    private final Endpoints endpoints;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final String username;
    private final String password;
    /** The current identity; earlier versions stay in {@link #ownIdentities} to open old envelopes. */
    private volatile Identity identity;
    private final Map<Integer, Identity> ownIdentities = new ConcurrentHashMap<>();
    private final String userId;
    private final TofuStore tofu;
    private final List<ChatListener> listeners = new CopyOnWriteArrayList<>();

    /** (sessionId, epoch) → epoch key; only in memory. */
    private final Map<String, Map<Long, byte[]>> epochKeys = new ConcurrentHashMap<>();
    /** (userId, keyVersion) → verified, pinned public identity. */
    private final Map<String, PublicIdentity> identities = new ConcurrentHashMap<>();
    private final Map<String, Timeline> timelines = new ConcurrentHashMap<>();
    private final Map<String, Long> currentEpochs = new ConcurrentHashMap<>();

    /** Incoming frames and catch-up run here, one at a time, so a session's messages are processed in order. */
    private final ExecutorService events;

    /** Reconnection after unexpected closes ({@link #stayConnected}); one attempt at a time. */
    private final ScheduledExecutorService reconnects;
    /** Bumped by every connect and every close handled, so one socket's close is acted on once. */
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean stayConnected;
    private volatile Duration firstDelay = Duration.ofMillis(500);
    private volatile Duration maxDelay = Duration.ofSeconds(30);
    private volatile Duration sendRetryWindow = Duration.ofMinutes(2);

    private volatile String accessToken;
    private volatile String refreshToken;
    private volatile WebSocket socket;
    private volatile CompletableFuture<JsonNode> hello;
    private volatile CompletableFuture<Integer> closed;

    private ChatClient(Endpoints endpoints, String username, String password, Identity identity, String userId) {
        this.endpoints = endpoints;
        this.username = username;
        this.password = password;
        this.identity = identity;
        this.ownIdentities.put(identity.keyVersion(), identity);
        this.userId = userId;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.tofu = new TofuStore();
        this.tofu.addListener(change -> listeners.forEach(l -> l.onIdentityChanged(change)));
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chat-client-" + username);
            t.setDaemon(true);
            return t;
        });
        this.reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chat-client-reconnect-" + username);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Generates a fresh identity, registers it with user-service and logs in. The private keys
     * stay in the returned client.
     */
    public static ChatClient register(Endpoints endpoints, String username, String displayName, String password) {
        Identity identity = Identity.generate(1);
        PublicIdentity pub = identity.publicIdentity();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode body = mapper.createObjectNode();
        body.put("username", username).put("displayName", displayName).put("password", password);
        body.putObject("identity").put("suite", pub.suite())
                .put("signingPublicKey", pub.signingPublicKeyBase64())
                .put("kemPublicKey", pub.kemPublicKeyBase64())
                .put("kemKeySignature", pub.kemKeySignatureBase64());
        ChatClient bootstrap = new ChatClient(endpoints, username, password, identity, null);
        JsonNode user;
        try {
            user = bootstrap.call("POST", endpoints.userService(), "/v1/users", body, false);
        } finally {
            bootstrap.events.shutdownNow();
        }
        int version = user.path("currentKeyVersion").asInt();
        if (version != identity.keyVersion()) {
            throw new IllegalStateException("user-service assigned key version " + version + ", expected "
                    + identity.keyVersion());
        }
        ChatClient client = new ChatClient(endpoints, username, password, identity, user.path("id").asText());
        client.login();
        return client;
    }

    /**
     * A client for an existing account from its saved identities (all versions, so old envelopes
     * still open; the highest is current), logged in.
     */
    public static ChatClient restore(Endpoints endpoints, String userId, String username, String password,
            List<Identity> identities) {
        ChatClient client = withIdentities(endpoints, userId, username, password, identities);
        client.login();
        return client;
    }

    private static ChatClient withIdentities(Endpoints endpoints, String userId, String username, String password,
            List<Identity> identities) {
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("at least one identity is needed");
        }
        Identity current = identities.stream().max(java.util.Comparator.comparingInt(Identity::keyVersion)).get();
        ChatClient client = new ChatClient(endpoints, username, password, current, userId);
        identities.forEach(i -> client.ownIdentities.put(i.keyVersion(), i));
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
        ChatClient client = withIdentities(endpoints, userId, username, password, identities);
        client.refreshToken = refreshToken;
        try {
            client.refresh();
        } catch (ChatApiException e) {
            if (e.status() != 401) {
                throw e;
            }
            client.login();
        }
        return client;
    }

    /**
     * The current refresh token, to continue this login in a later process ({@link #resume}).
     * It is a credential: store it only encrypted, never log it.
     */
    public String refreshToken() {
        return refreshToken;
    }

    /** This user's identity at {@code keyVersion} (private keys included), for saving it encrypted at rest. */
    public Identity ownIdentity(int keyVersion) {
        Identity own = ownIdentities.get(keyVersion);
        if (own == null) {
            throw new IllegalArgumentException("no identity version " + keyVersion);
        }
        return own;
    }

    /** The id of the user with this exact username (case-insensitive), or a 404 ChatApiException. */
    public String userIdOf(String username) {
        return call("GET", endpoints.userService(), "/v1/users/by-username/" + encode(username), null, true)
                .path("id").asText();
    }

    /** GetSessions: the first page of this user's sessions, most recently active first. */
    public JsonNode sessions() {
        return call("GET", endpoints.sessionService(), "/v1/sessions?size=100", null, true);
    }

    public String userId() {
        return userId;
    }

    public String username() {
        return username;
    }

    public PublicIdentity publicIdentity() {
        return identity.publicIdentity();
    }

    public TofuStore tofu() {
        return tofu;
    }

    public void addListener(ChatListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Logs in with the username and password; the access token is kept for later calls. */
    public void login() {
        ObjectNode body = json.createObjectNode().put("username", username).put("password", password);
        keep(call("POST", endpoints.userService(), "/v1/auth/login", body, false));
    }

    /**
     * Exchanges the refresh token for new tokens (the old refresh token is spent). A second use
     * of a spent token revokes the whole login on the server, so this is never retried blindly.
     */
    public synchronized void refresh() {
        if (refreshToken == null) {
            throw new IllegalStateException("not logged in");
        }
        ObjectNode body = json.createObjectNode().put("refreshToken", refreshToken);
        keep(call("POST", endpoints.userService(), "/v1/auth/refresh", body, false));
    }

    private void keep(JsonNode tokens) {
        accessToken = tokens.path("accessToken").asText();
        refreshToken = tokens.path("refreshToken").asText(null);
    }

    /**
     * The direct session with {@code otherUserId}: created with a fresh key, or, when it already
     * exists, the existing one (whose key comes from this user's envelope).
     *
     * @return the session id
     */
    public String createDirect(String otherUserId, Duration unknownMemberPatience) throws InterruptedException {
        long deadline = System.nanoTime() + unknownMemberPatience.toNanos();
        while (true) {
            try {
                return createSession("DIRECT", List.of(otherUserId));
            } catch (ChatApiException e) {
                if (!e.is(422, "unknown-member") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    /** Revokes one of this user's identity versions (sessions holding envelopes for it then need a rekey). */
    public void revokeIdentity(int keyVersion) {
        call("POST", endpoints.userService(), "/v1/users/me/keys/" + keyVersion + "/revoke", null, true);
    }

    /**
     * The verified and pinned public identity of {@code user} at its current key version.
     *
     * @throws IdentityChangedException it differs from the pin
     */
    public PublicIdentity currentIdentity(String user) {
        JsonNode response = call("GET", endpoints.userService(), "/v1/users/" + encode(user), null, true);
        JsonNode key = response.path("currentKey");
        if (key.isMissingNode() || key.isNull()) {
            throw new IllegalStateException("user " + user + " has no usable key");
        }
        return trusted(user, key);
    }

    /** The verified and pinned public identity of {@code user} at {@code keyVersion} (for checking old signatures). */
    public PublicIdentity identityAt(String user, int keyVersion) {
        PublicIdentity cached = identities.get(user + "/" + keyVersion);
        if (cached != null) {
            return cached;
        }
        JsonNode keys = call("GET", endpoints.userService(), "/v1/users/" + encode(user) + "/keys", null, true);
        for (JsonNode key : keys.path("keys")) {
            if (key.path("version").asInt() == keyVersion) {
                return trusted(user, key);
            }
        }
        throw new IllegalStateException("user " + user + " has no key version " + keyVersion);
    }

    private PublicIdentity trusted(String user, JsonNode key) {
        PublicIdentity pub;
        try {
            pub = PublicIdentity.fromBase64(key.path("suite").asText(), key.path("version").asInt(),
                    key.path("signingPublicKey").asText(), key.path("kemPublicKey").asText(),
                    key.path("kemKeySignature").asText()).verify();
        } catch (CryptoException e) {
            throw new IllegalStateException("user-service returned an invalid identity for " + user, e);
        }
        // The fingerprint is computed locally, never taken from the server's answer.
        tofu.check(user, pub.keyVersion(), pub.fingerprintHex());
        identities.put(user + "/" + pub.keyVersion(), pub);
        return pub;
    }

    /** The identity that signed as {@code sender} at {@code keyVersion}: one of ours, or a pinned contact's. */
    private PublicIdentity signer(String sender, int keyVersion) {
        Identity own = sender.equals(userId) ? ownIdentities.get(keyVersion) : null;
        return own != null ? own.publicIdentity() : identityAt(sender, keyVersion);
    }

    /**
     * Rotates this user's identity: a fresh signing and KEM key pair is uploaded as the next
     * version, and becomes the one new messages are signed with. Sessions then require a rekey
     * (their envelopes target the old KEM key); earlier versions are kept to open old envelopes.
     *
     * @return the new key version
     */
    public int rotateIdentity() {
        Identity next = Identity.generate(identity.keyVersion() + 1);
        PublicIdentity pub = next.publicIdentity();
        ObjectNode body = json.createObjectNode().put("suite", pub.suite())
                .put("signingPublicKey", pub.signingPublicKeyBase64()).put("kemPublicKey", pub.kemPublicKeyBase64())
                .put("kemKeySignature", pub.kemKeySignatureBase64());
        JsonNode key = call("POST", endpoints.userService(), "/v1/users/me/keys", body, true);
        if (key.path("version").asInt() != next.keyVersion()) {
            throw new IllegalStateException("user-service assigned key version " + key.path("version").asInt()
                    + ", expected " + next.keyVersion());
        }
        ownIdentities.put(next.keyVersion(), next);
        identity = next;
        return next.keyVersion();
    }

    /**
     * Creates a group with the given members (ADMIN/MEMBER roles as {@code MEMBER}) and an epoch-1
     * key wrapped for every member including this user. A member session-service does not know yet
     * ({@code 422 unknown-member}, documented while registrations propagate) is retried until
     * {@code unknownMemberPatience} has passed.
     *
     * @return the session id
     */
    public String createGroup(List<String> memberIds, Duration unknownMemberPatience) throws InterruptedException {
        long deadline = System.nanoTime() + unknownMemberPatience.toNanos();
        while (true) {
            try {
                return createSession("GROUP", memberIds);
            } catch (ChatApiException e) {
                if (!e.is(422, "unknown-member") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(250); // documented: retry after a moment while chat.users propagates
            }
        }
    }

    private String createSession(String type, List<String> memberIds) {
        // the client chooses the session id, because every epoch-1 envelope binds it (crypto.md §5)
        String sessionId = UUID.randomUUID().toString();
        List<String> everyone = new ArrayList<>();
        everyone.add(userId);
        everyone.addAll(memberIds);
        Map<String, PublicIdentity> keys = new HashMap<>();
        for (String member : everyone) {
            keys.put(member, member.equals(userId) ? identity.publicIdentity() : currentIdentity(member));
        }
        byte[] key = SessionKeys.newSessionKey();
        ObjectNode body = json.createObjectNode().put("sessionId", sessionId).put("type", type);
        ArrayNode members = body.putArray("members");
        memberIds.forEach(m -> members.addObject().put("userId", m).put("role", "MEMBER"));
        body.set("envelopes", envelopes(key, sessionId, 1, keys));
        JsonNode session;
        try {
            session = call("POST", endpoints.sessionService(), "/v1/sessions", body, true);
        } catch (RuntimeException e) {
            Arrays.fill(key, (byte) 0);
            throw e;
        }
        String id = session.path("id").asText();
        long epoch = session.path("currentEpoch").asLong(1);
        if (!id.equals(sessionId)) {
            // an existing direct session: its keys come from this user's own envelopes
            Arrays.fill(key, (byte) 0);
            currentEpochs.put(id, epoch);
            return id;
        }
        keysOf(sessionId).put(epoch, key);
        currentEpochs.put(sessionId, epoch);
        return sessionId;
    }

    private ArrayNode envelopes(byte[] key, String sessionId, long epoch, Map<String, PublicIdentity> recipients) {
        ArrayNode out = json.createArrayNode();
        for (Map.Entry<String, PublicIdentity> r : recipients.entrySet()) {
            Envelope e;
            try {
                e = Envelopes.wrap(key, sessionId, epoch, r.getKey(), r.getValue(), userId, identity);
            } catch (CryptoException ex) {
                throw new IllegalStateException("cannot wrap for " + r.getKey(), ex);
            }
            out.addObject().put("recipientId", e.recipientUserId()).put("recipientKeyVersion", e.recipientKeyVersion())
                    .put("senderKeyVersion", e.senderKeyVersion()).put("suite", e.suite())
                    .put("enc", e.encBase64()).put("ciphertext", e.ciphertextBase64())
                    .put("signature", e.signatureBase64());
        }
        return out;
    }

    /**
     * Starts a new epoch with a fresh key wrapped for every active member (protocol.md, rotating).
     * If another member's rotation wins ({@code 409 stale-epoch}), that epoch's key is fetched
     * from this user's envelope instead; on {@code recipient-mismatch} it starts again.
     *
     * @return the session's epoch afterwards
     */
    public long rotate(String sessionId) {
        return rotate(sessionId, List.of());
    }

    /**
     * Adds members (owners and admins only) together with a rotation: the new epoch's key is
     * wrapped for the current members and the new ones, who cannot read earlier epochs.
     *
     * @return the session's epoch afterwards
     */
    public long addMembers(String sessionId, List<String> newMemberIds) {
        if (newMemberIds.isEmpty()) {
            throw new IllegalArgumentException("no members to add");
        }
        return rotate(sessionId, newMemberIds);
    }

    private long rotate(String sessionId, List<String> adding) {
        for (int attempt = 1; ; attempt++) {
            JsonNode session = session(sessionId);
            long epoch = session.path("currentEpoch").asLong();
            Map<String, PublicIdentity> keys = new HashMap<>();
            for (JsonNode m : session.path("members")) {
                if (m.path("active").asBoolean(true)) {
                    String member = m.path("userId").asText();
                    keys.put(member, member.equals(userId) ? identity.publicIdentity() : currentIdentity(member));
                }
            }
            for (String added : adding) {
                keys.put(added, currentIdentity(added));
            }
            byte[] key = SessionKeys.newSessionKey();
            ObjectNode body = json.createObjectNode().put("epoch", epoch + 1);
            ArrayNode add = body.putArray("addMembers");
            adding.forEach(m -> add.addObject().put("userId", m).put("role", "MEMBER"));
            body.set("envelopes", envelopes(key, sessionId, epoch + 1, keys));
            try {
                JsonNode rotated = call("POST", endpoints.sessionService(), "/v1/sessions/" + encode(sessionId)
                        + "/rotations", body, true);
                long now = rotated.path("currentEpoch").asLong(epoch + 1);
                keysOf(sessionId).put(now, key);
                currentEpochs.put(sessionId, now);
                return now;
            } catch (ChatApiException e) {
                Arrays.fill(key, (byte) 0);
                if (e.is(409, "stale-epoch") && adding.isEmpty()) {
                    long current = e.problem().path("currentEpoch").asLong(epoch + 1);
                    epochKey(sessionId, current);
                    currentEpochs.put(sessionId, current);
                    return current;
                }
                if (!e.is(409, "recipient-mismatch") || attempt >= MAX_ROTATION_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** The session as this (current) member sees it. */
    public JsonNode session(String sessionId) {
        return call("GET", endpoints.sessionService(), "/v1/sessions/" + encode(sessionId), null, true);
    }

    /** Removes a member (owners and admins); the session then requires a rekey before the next send. */
    public void removeMember(String sessionId, String memberId) {
        call("DELETE", endpoints.sessionService(), "/v1/sessions/" + encode(sessionId) + "/members/"
                + encode(memberId), null, true);
    }

    private Map<Long, byte[]> keysOf(String sessionId) {
        return epochKeys.computeIfAbsent(sessionId, s -> new ConcurrentHashMap<>());
    }

    /**
     * This user's key for an epoch: from memory, else from its own envelope, verified against the
     * wrapping member's pinned identity and unwrapped.
     */
    public byte[] epochKey(String sessionId, long epoch) {
        byte[] known = keysOf(sessionId).get(epoch);
        if (known != null) {
            return known;
        }
        JsonNode list = call("GET", endpoints.sessionService(), "/v1/sessions/" + encode(sessionId)
                + "/envelopes?epoch=" + epoch, null, true);
        for (JsonNode e : list) {
            if (e.path("epoch").asLong() == epoch && userId.equals(e.path("recipientId").asText())) {
                return unwrapOwn(e, sessionId, epoch);
            }
        }
        throw new IllegalStateException("no envelope for epoch " + epoch);
    }

    /**
     * Fetches every envelope of this user's membership and unwraps each into memory.
     *
     * @return the epochs whose keys this user now holds, ascending
     */
    public List<Long> unwrapOwnEnvelopes(String sessionId) {
        JsonNode list = call("GET", endpoints.sessionService(), "/v1/sessions/" + encode(sessionId) + "/envelopes",
                null, true);
        List<Long> epochs = new ArrayList<>();
        for (JsonNode e : list) {
            long epoch = e.path("epoch").asLong();
            if (userId.equals(e.path("recipientId").asText())) {
                if (!keysOf(sessionId).containsKey(epoch)) {
                    unwrapOwn(e, sessionId, epoch);
                }
                epochs.add(epoch);
            }
        }
        epochs.sort(null);
        return epochs;
    }

    /** Verifies one of this user's envelopes against the wrapping member's pinned identity and unwraps it. */
    private byte[] unwrapOwn(JsonNode e, String sessionId, long epoch) {
        String sender = e.path("senderId").asText();
        int senderVersion = e.path("senderKeyVersion").asInt();
        PublicIdentity senderKey = signer(sender, senderVersion);
        Identity mine = ownIdentities.get(e.path("recipientKeyVersion").asInt());
        if (mine == null) {
            throw new IllegalStateException("no private key for identity version " + e.path("recipientKeyVersion").asInt());
        }
        try {
            Envelope envelope = Envelope.fromBase64(e.path("suite").asText(), e.path("sessionId").asText(),
                    epoch, e.path("recipientId").asText(), e.path("recipientKeyVersion").asInt(), sender,
                    senderVersion, e.path("enc").asText(), e.path("ciphertext").asText(),
                    e.path("signature").asText());
            byte[] key = Envelopes.unwrap(envelope, sessionId, epoch, userId, mine, sender, senderKey);
            keysOf(sessionId).put(epoch, key);
            return key;
        } catch (CryptoException ex) {
            throw new IllegalStateException("own envelope for epoch " + epoch + " does not open", ex);
        }
    }

    /**
     * Encrypts and sends a text message at the session's current epoch (REST). On {@code 409
     * stale-epoch} the new epoch's key is fetched and the same clientMessageId is resent; {@code
     * 409 rekey-required} is left to the caller, who decides to {@link #rotate}. When the outcome
     * is unknown — {@code 503} (a store or peer briefly unreachable) or no answer at all (a server
     * restarting) — the identical request is sent again after {@code Retry-After} or a growing
     * pause, for up to {@link #sendRetryWindow(Duration)}: the server stores a clientMessageId at
     * most once and answers a replay with the original seq, so a retry never duplicates.
     *
     * @return the stored message's seq
     */
    public long send(String sessionId, String text) {
        UUID clientMessageId = UUID.randomUUID();
        long epoch = currentEpochs.computeIfAbsent(sessionId, s -> session(s).path("currentEpoch").asLong());
        for (int attempt = 1; ; attempt++) {
            byte[] key = epochKey(sessionId, epoch);
            EncryptedMessage m = Messages.encrypt(key, sessionId, epoch, userId, clientMessageId,
                    MessageContent.text(text), identity);
            ObjectNode body = json.createObjectNode().put("clientMessageId", clientMessageId.toString())
                    .put("epoch", epoch).put("suite", m.suite()).put("nonce", m.nonceBase64())
                    .put("ciphertext", m.ciphertextBase64()).put("signature", m.signatureBase64())
                    .put("clientTime", Instant.now().toString()).put("formatVersion", m.formatVersion())
                    .put("senderKeyVersion", m.senderKeyVersion());
            try {
                return sendUntilAnswered(sessionId, body).path("seq").asLong();
            } catch (ChatApiException e) {
                if (e.is(409, "stale-epoch") && attempt < 3) {
                    epoch = e.problem().path("currentEpoch").asLong();
                    currentEpochs.put(sessionId, epoch);
                } else if (!(e.is(409, "nonce-reused") && attempt < 3)) {
                    throw e;
                }
            }
        }
    }

    /** Sends one message body, repeating it unchanged while the outcome is unknown (see {@link #send}). */
    private JsonNode sendUntilAnswered(String sessionId, ObjectNode body) {
        long deadline = System.nanoTime() + sendRetryWindow.toNanos();
        long pauseMillis = 250;
        while (true) {
            long wait;
            RuntimeException failure;
            try {
                return call("POST", endpoints.messageService(), "/v1/sessions/" + encode(sessionId) + "/messages",
                        body, true);
            } catch (ChatApiException e) {
                if (e.status() != 503) {
                    throw e;
                }
                failure = e;
                wait = e.retryAfter() != null ? Math.min(e.retryAfter().toMillis(), 10_000) : pauseMillis;
            } catch (java.io.UncheckedIOException e) {
                failure = e;
                wait = pauseMillis;
            }
            if (System.nanoTime() + wait * 1_000_000 > deadline) {
                throw failure;
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure;
            }
            pauseMillis = Math.min(pauseMillis * 2, 5_000);
        }
    }

    /** How long {@link #send} keeps repeating a request whose outcome is unknown (default 2 minutes). */
    public void sendRetryWindow(Duration window) {
        this.sendRetryWindow = window;
    }

    /**
     * Pages {@code after=lastSeq} until the server has no more, verifying, decrypting and adding
     * every message not yet processed (protocol.md, catch-up procedure). The first page starts
     * {@value #CATCH_UP_OVERLAP} seqs before {@code lastSeq}, so that messages already held are
     * compared with the server's again: a seq that comes back with another message id repairs the
     * timeline ({@link ChatListener#onTimelineRepaired}).
     *
     * @return the number of new messages
     */
    public int catchUp(String sessionId) {
        Timeline timeline = timeline(sessionId);
        int added = 0;
        int repairs = 0;
        long after = Math.max(0, timeline.lastSeq() - CATCH_UP_OVERLAP);
        while (true) {
            JsonNode page = page(sessionId, "after=" + after);
            long highest = after;
            boolean repaired = false;
            for (JsonNode m : page.path("messages")) {
                Accepted outcome = accept(m, sessionId);
                added += outcome.added();
                if (outcome.repaired()) {
                    repaired = true;
                    break;
                }
                highest = Math.max(highest, m.path("seq").asLong());
            }
            if (repaired) {
                // the repair read the server's history to its end; carry on after it
                if (++repairs > MAX_REPAIRS) {
                    throw new IllegalStateException("session " + sessionId + " history keeps changing on the server");
                }
                after = timeline.lastSeq();
                continue;
            }
            // this page answered every visible message in (after, highest]; after <= lastSeq
            timeline.caughtUpTo(highest);
            if (!page.path("hasMore").asBoolean(false) || page.path("messages").size() == 0) {
                return added;
            }
            after = highest;
        }
    }

    /**
     * Reads a session's whole visible history from the server again (scrollback), verified and
     * decrypted, in seq order. The live timeline is not extended by it, but when the server's
     * answer contradicts it (a seq held under another message id) the timeline is repaired from
     * this answer ({@link ChatListener#onTimelineRepaired}).
     */
    public List<ReceivedMessage> readAll(String sessionId) {
        List<ReceivedMessage> out = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = page(sessionId, "after=" + after);
            for (JsonNode m : page.path("messages")) {
                out.add(open(m, sessionId));
                after = Math.max(after, m.path("seq").asLong());
            }
            if (!page.path("hasMore").asBoolean(false) || page.path("messages").size() == 0) {
                break;
            }
        }
        Timeline timeline = timeline(sessionId);
        long from = Long.MAX_VALUE;
        for (ReceivedMessage m : out) {
            OptionalLong conflict = timeline.conflict(m.messageId(), m.seq());
            if (conflict.isPresent()) {
                from = Math.min(from, conflict.getAsLong());
            }
        }
        if (from != Long.MAX_VALUE) {
            long fromSeq = from;
            replace(sessionId, fromSeq, out.stream().filter(m -> m.seq() >= fromSeq).toList());
        }
        return out;
    }

    private JsonNode page(String sessionId, String cursor) {
        return call("GET", endpoints.messageService(), "/v1/sessions/" + encode(sessionId) + "/messages?" + cursor
                + "&limit=" + PAGE_SIZE, null, true);
    }

    /** What accepting one stored message did: how many new messages it added, and whether it repaired. */
    private record Accepted(int added, boolean repaired) {
        static final Accepted KNOWN = new Accepted(0, false);
        static final Accepted NEW = new Accepted(1, false);
    }

    /**
     * Verifies, decrypts and records one stored message. When the server's claim contradicts the
     * timeline (its seq is held under another id, or its id under another seq), the timeline is
     * repaired from the server instead: never are two messages delivered under one seq.
     */
    private Accepted accept(JsonNode m, String sessionId) {
        Timeline timeline = timeline(sessionId);
        String messageId = m.path("messageId").asText();
        OptionalLong conflict = timeline.conflict(messageId, m.path("seq").asLong());
        if (conflict.isPresent()) {
            return new Accepted(repair(sessionId, conflict.getAsLong()), true);
        }
        if (timeline.seen(messageId)) {
            return Accepted.KNOWN;
        }
        ReceivedMessage received = open(m, sessionId);
        if (!timeline.offer(received)) {
            return Accepted.KNOWN;
        }
        listeners.forEach(l -> l.onMessage(received));
        return Accepted.NEW;
    }

    /**
     * The server's history contradicts the timeline at {@code conflictSeq}: the local view of the
     * session is suspect. Walks back from there to the highest seq on which both still agree,
     * re-reads everything after it, and replaces the timeline from there with the server's answer.
     *
     * @return the number of messages new to this client
     */
    private int repair(String sessionId, long conflictSeq) {
        long from = divergence(sessionId, conflictSeq);
        List<ReceivedMessage> server = new ArrayList<>();
        long after = from - 1;
        while (true) {
            JsonNode page = page(sessionId, "after=" + after);
            for (JsonNode m : page.path("messages")) {
                server.add(open(m, sessionId));
                after = Math.max(after, m.path("seq").asLong());
            }
            if (!page.path("hasMore").asBoolean(false) || page.path("messages").size() == 0) {
                break;
            }
        }
        return replace(sessionId, from, server);
    }

    /**
     * The lowest seq of the run of disagreement ending at {@code conflictSeq}: pages back with
     * {@code before=} until a seq where the server and the timeline hold the same message, or
     * below the first seq the timeline holds (nothing there to disagree with).
     */
    private long divergence(String sessionId, long conflictSeq) {
        Timeline timeline = timeline(sessionId);
        long lowestHeld = timeline.firstSeq().orElse(conflictSeq);
        long from = conflictSeq;
        long before = conflictSeq;
        while (before > lowestHeld) {
            JsonNode page = page(sessionId, "before=" + before);
            JsonNode messages = page.path("messages");
            for (JsonNode m : messages) { // descending
                long seq = m.path("seq").asLong();
                if (seq < lowestHeld || timeline.holds(seq, m.path("messageId").asText())) {
                    return from;
                }
                from = seq;
            }
            if (!page.path("hasMore").asBoolean(false) || messages.size() == 0) {
                return from;
            }
            before = from;
        }
        return from;
    }

    /** Puts the server's complete answer from {@code fromSeq} on into the timeline and tells the listeners. */
    private int replace(String sessionId, long fromSeq, List<ReceivedMessage> server) {
        int fresh = timeline(sessionId).replaceFrom(fromSeq, server).size();
        listeners.forEach(l -> l.onTimelineRepaired(sessionId, fromSeq));
        for (ReceivedMessage m : server) {
            listeners.forEach(l -> l.onMessage(m));
        }
        return fresh;
    }

    /**
     * Verifies and decrypts one stored message against the sender's pinned identity; a message
     * claiming another session than the one read fails ({@code ContextMismatchException}).
     */
    private ReceivedMessage open(JsonNode m, String expectedSessionId) {
        String sessionId = m.path("sessionId").asText();
        String messageId = m.path("messageId").asText();
        long epoch = m.path("epoch").asLong();
        String sender = m.path("senderId").asText();
        int senderVersion = m.path("senderKeyVersion").asInt();
        MessageContent content;
        try {
            EncryptedMessage encrypted = EncryptedMessage.fromBase64(m.path("suite").asText(),
                    m.path("formatVersion").asInt(Messages.FORMAT_VERSION), sessionId, epoch, sender, senderVersion,
                    m.path("clientMessageId").asText(), m.path("nonce").asText(), m.path("ciphertext").asText(),
                    m.path("signature").asText());
            PublicIdentity senderKey = signer(sender, senderVersion);
            content = Messages.decrypt(encrypted, expectedSessionId, epochKey(expectedSessionId, epoch), senderKey);
        } catch (CryptoException e) {
            throw new IllegalStateException("message " + messageId + " failed verification or decryption", e);
        }
        ReceivedMessage received = new ReceivedMessage(messageId, sessionId, m.path("seq").asLong(), epoch, sender,
                m.path("senderUsername").asText(null), m.path("senderDisplayName").asText(null), content.type(),
                content.text(), m.hasNonNull("serverTime") ? Instant.parse(m.path("serverTime").asText()) : null);
        return received;
    }

    public Timeline timeline(String sessionId) {
        return timelines.computeIfAbsent(sessionId, s -> new Timeline());
    }

    /** Decrypted messages of a session, deduped, in seq order. */
    public List<ReceivedMessage> messages(String sessionId) {
        return timeline(sessionId).messages();
    }

    // ---------------------------------------------------------------- WebSocket

    /** Opens the gateway WebSocket and waits for {@code hello}; live frames are then processed in order. */
    public void connect() {
        hello = new CompletableFuture<>();
        closed = new CompletableFuture<>();
        long gen = generation.incrementAndGet();
        socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + accessToken)
                .subprotocols("chat.v1").connectTimeout(Duration.ofSeconds(10))
                .buildAsync(endpoints.webSocket(), new Frames(gen)).orTimeout(20, TimeUnit.SECONDS).join();
        hello.orTimeout(20, TimeUnit.SECONDS).join();
    }

    /**
     * Connects (unless connected) and keeps the socket: after any close this client did not ask
     * for, it reconnects by itself with exponential backoff and jitter (from {@code firstDelay}
     * up to {@code maxDelay}), refreshing the access token when the gateway or the handshake says
     * it expired, and then catches up every session it holds a timeline for (protocol.md,
     * reconnect procedure). It gives up only when the account is deleted or the login is revoked
     * (the refresh token is refused); listeners hear {@link ChatListener#onReconnecting} and
     * {@link ChatListener#onReconnected}. {@link #disconnect()} and {@link #close()} end it.
     */
    public void stayConnected(Duration firstDelay, Duration maxDelay) {
        if (firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("need 0 < firstDelay <= maxDelay");
        }
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        stayConnected = true;
        if (!connected()) {
            connect();
        }
    }

    /** {@link #stayConnected(Duration, Duration)} from 0.5 s up to 30 s. */
    public void stayConnected() {
        stayConnected(Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    /** A socket this client holds closed without being asked to: decide whether and when to reconnect. */
    private void closedUnexpectedly(long gen, int code, String reason) {
        if (!stayConnected || !generation.compareAndSet(gen, gen + 1)) {
            return; // not wanted, or this socket's close was already handled / superseded
        }
        if (code == CloseCodes.POLICY && CloseCodes.ACCOUNT_DELETED.equals(reason)) {
            stayConnected = false;
            return;
        }
        boolean tokenExpired = code == CloseCodes.POLICY && CloseCodes.TOKEN_EXPIRED.equals(reason);
        scheduleReconnect(1, tokenExpired, null);
    }

    private void scheduleReconnect(int attempt, boolean refreshFirst, Throwable cause) {
        Duration delay = backoff(attempt);
        try {
            events.execute(() -> listeners.forEach(l -> l.onReconnecting(attempt, delay, cause)));
            reconnects.schedule(() -> reconnect(attempt, refreshFirst), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closedAlready) {
            stayConnected = false; // close() ran meanwhile
        }
    }

    /** Half the capped exponential delay, plus a random part of the other half. */
    private Duration backoff(int attempt) {
        long first = firstDelay.toMillis();
        long cap = Math.min(maxDelay.toMillis(), first << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    }

    private void reconnect(int attempt, boolean refreshFirst) {
        if (!stayConnected) {
            return;
        }
        try {
            if (refreshFirst) {
                refresh();
            }
            String token = accessToken;
            try {
                connect();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof WebSocketHandshakeException h) || h.getResponse().statusCode() != 401) {
                    throw e;
                }
                refreshUnlessRenewed(token);
                connect();
            }
            List<String> sessionIds = List.copyOf(timelines.keySet());
            CompletableFuture.runAsync(() -> {
                for (String sessionId : sessionIds) {
                    try {
                        catchUp(sessionId);
                    } catch (RuntimeException e) {
                        listeners.forEach(l -> l.onError(e));
                    }
                }
                listeners.forEach(l -> l.onReconnected(attempt));
            }, events).join();
        } catch (ChatApiException e) {
            if (e.status() == 401) {
                stayConnected = false; // the login is gone (revoked, expired or the account deleted)
                events.execute(() -> listeners.forEach(l -> l.onError(e)));
                return;
            }
            retry(attempt, e);
        } catch (RuntimeException e) {
            retry(attempt, e);
        }
    }

    private void retry(int attempt, Throwable cause) {
        generation.incrementAndGet(); // a half-open socket of the failed attempt must not schedule too
        WebSocket ws = socket;
        if (ws != null && !ws.isInputClosed()) {
            ws.abort();
        }
        if (stayConnected) {
            scheduleReconnect(attempt + 1, false, cause instanceof CompletionException && cause.getCause() != null
                    ? cause.getCause() : cause);
        }
    }

    /**
     * Connects and then catches up every given session, the reconnect procedure of protocol.md:
     * anything stored between the two arrives on one path or both and is deduped.
     */
    public void reconnect(List<String> sessionIds) {
        connect();
        CompletableFuture.runAsync(() -> sessionIds.forEach(this::catchUp), events).join();
    }

    /** Closes the socket normally (1000) and waits for the close to complete. */
    public void disconnect() {
        stayConnected = false;
        generation.incrementAndGet();
        WebSocket ws = socket;
        socket = null;
        if (ws == null) {
            return;
        }
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            ws.abort();
        }
    }

    public boolean connected() {
        WebSocket ws = socket;
        return ws != null && !ws.isInputClosed();
    }

    private void onFrame(String text) {
        JsonNode frame = parse(text);
        switch (frame.path("type").asText()) {
            case "hello" -> hello.complete(frame);
            case "message" -> {
                JsonNode m = frame.path("message");
                String sessionId = m.path("sessionId").asText();
                if (timeline(sessionId).gapBefore(m.path("seq").asLong())) {
                    catchUp(sessionId);
                }
                accept(m, sessionId);
            }
            case "session" -> {
                String event = frame.path("event").asText();
                listeners.forEach(l -> l.onSessionEvent(event, frame.path("payload")));
            }
            case "error" -> {
                JsonNode p = frame.path("problem");
                ChatApiException e = new ChatApiException(p.path("status").asInt(), p.path("type").asText(),
                        p.path("detail").asText(null), p);
                listeners.forEach(l -> l.onError(e));
            }
            default -> {
                // pong, ack: nothing to do for REST senders.
            }
        }
    }

    /** Reassembles text frames and hands each to the event thread, so processing never blocks the socket. */
    private final class Frames implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private final long gen;

        Frames(long gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                events.execute(() -> {
                    try {
                        onFrame(text);
                    } catch (RuntimeException e) {
                        listeners.forEach(l -> l.onError(e));
                    }
                });
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code);
            hello.completeExceptionally(new IllegalStateException("closed " + code));
            events.execute(() -> listeners.forEach(l -> l.onClosed(code)));
            closedUnexpectedly(gen, code, reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
            hello.completeExceptionally(error);
            events.execute(() -> listeners.forEach(l -> l.onClosed(-1)));
            closedUnexpectedly(gen, -1, null);
        }
    }

    // ---------------------------------------------------------------- account

    /** Deletes the account (user-service revokes its keys and removes it from every session). */
    public void deleteAccount() {
        disconnect();
        ObjectNode body = json.createObjectNode().put("password", password);
        call("DELETE", endpoints.userService(), "/v1/users/me", body, true);
    }

    /**
     * Copies of every epoch key this client holds, base64-encoded. Only for leak audits (a test
     * checking that no key appears in server storage); never log the result.
     */
    public List<String> epochKeysForAudit() {
        List<String> out = new ArrayList<>();
        epochKeys.values().forEach(m -> m.values().forEach(k -> out.add(Base64.getEncoder().encodeToString(k))));
        return out;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---------------------------------------------------------------- HTTP

    /**
     * One REST call. An authenticated call answered 401 (the access token expired) refreshes the
     * tokens once and is repeated: the server refused it before doing anything, so repeating is safe.
     */
    JsonNode call(String method, URI base, String path, JsonNode body, boolean authenticated) {
        String token = accessToken;
        try {
            return callOnce(method, base, path, body, authenticated ? token : null);
        } catch (ChatApiException e) {
            if (!authenticated || e.status() != 401 || refreshToken == null) {
                throw e;
            }
            refreshUnlessRenewed(token);
            return callOnce(method, base, path, body, accessToken);
        }
    }

    /** Refreshes unless another thread already replaced {@code stale}; one refresh per expiry. */
    private synchronized void refreshUnlessRenewed(String stale) {
        if (Objects.equals(accessToken, stale)) {
            refresh();
        }
    }

    private JsonNode callOnce(String method, URI base, String path, JsonNode body, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(HTTP_TIMEOUT)
                .header("Accept", "application/json, application/problem+json");
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        JsonNode parsed = parse(response.body());
        if (response.statusCode() >= 400) {
            throw new ChatApiException(response.statusCode(), parsed.path("type").asText("about:blank"),
                    parsed.path("detail").asText(null), parsed, retryAfter(response));
        }
        return parsed;
    }

    /** The {@code Retry-After} header in seconds (the services never send the date form), or null. */
    private static Duration retryAfter(HttpResponse<String> response) {
        try {
            return response.headers().firstValue("Retry-After").map(v -> Duration.ofSeconds(Long.parseLong(v.trim())))
                    .orElse(null);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    @Override
    public void close() {
        disconnect();
        reconnects.shutdownNow();
        events.shutdownNow();
        epochKeys.values().forEach(m -> m.values().forEach(k -> Arrays.fill(k, (byte) 0)));
        epochKeys.clear();
    }
}
