package org.e2echat.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.e2echat.client.cli.Cli;
import org.e2echat.client.sdk.ChatApiException;
import org.e2echat.client.sdk.ChatClient;
import org.e2echat.client.sdk.ChatListener;
import org.e2echat.client.sdk.Endpoints;
import org.e2echat.client.sdk.IdentityChange;
import org.e2echat.client.sdk.IdentityChangedException;
import org.e2echat.client.sdk.KeyPolicy;
import org.e2echat.client.sdk.KeyRenewal;
import org.e2echat.client.sdk.ReceivedMessage;
import org.e2echat.infra.FreePorts;
import org.e2echat.infra.LocalInfra;
import org.e2echat.infra.stack.LocalStack;
import org.e2echat.infra.stack.ServiceProcess;
import org.e2echat.infra.stack.ServiceSpec;
import org.e2echat.testsupport.TestJwt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole system with real cryptography through the SDK: embedded MongoDB and Kafka in this JVM,
 * the four packaged services as their own processes, three users chatting in a group through
 * removal, rotation, going offline, catch-up and account deletion; and afterwards no plaintext
 * and no session key anywhere in the databases, the topics or the service logs.
 */
class WholeSystemIT {

    private static final Duration READY = Duration.ofSeconds(120);
    private static final Duration LIVE = Duration.ofSeconds(20);
    private static final String PASSWORD = "whole system password 1";

    private static final Path ROOT = Path.of(System.getProperty("e2echat.root", "../..")).toAbsolutePath().normalize();
    private static final Path LOGS = ROOT.resolve("platform/system-tests/target/whole-system");

    private static LocalInfra infra;
    private static final List<ServiceProcess> services = new ArrayList<>();
    /** Services stopped during the test (a restarted gateway); their logs are audited too. */
    private static final List<ServiceProcess> retired = new ArrayList<>();
    private static final Map<String, String> env = new LinkedHashMap<>();
    /** The system, but with the user-service instance whose access tokens live 4 seconds. */
    private static Endpoints shortTokenEndpoints;
    private static final List<ChatClient> clients = new ArrayList<>();
    private static Endpoints endpoints;

    /** What one client's listener heard: delivered message ids, session events, errors, identity warnings. */
    static final class Recorder implements ChatListener {
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final List<IdentityChange> identityChanges = new CopyOnWriteArrayList<>();
        final List<Integer> closes = new CopyOnWriteArrayList<>();
        final List<Integer> reconnected = new CopyOnWriteArrayList<>();

        @Override
        public void onClosed(int code) {
            closes.add(code);
        }

        @Override
        public void onReconnected(int attempt) {
            reconnected.add(attempt);
        }

        @Override
        public void onMessage(ReceivedMessage message) {
            delivered.add(message.messageId());
        }

        @Override
        public void onSessionEvent(String event, JsonNode payload) {
            events.add(event + "@" + payload.path("epoch").asText(""));
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }

        @Override
        public void onIdentityChanged(IdentityChange change) {
            identityChanges.add(change);
        }
    }

    private final Map<ChatClient, Recorder> heard = new ConcurrentHashMap<>();

    /** Every plaintext sent; each holds its own canary, so a copy anywhere is recognisable. */
    private final List<String> plaintexts = new ArrayList<>();
    /** Plaintexts of the other sessions, added to the audit at the end. */
    private final List<String> otherPlaintexts = new ArrayList<>();

    @BeforeAll
    static void startTheSystem() throws Exception {
        infra = LocalInfra.start(LocalInfra.Options.ephemeral());
        Map<ServiceSpec, Integer> ports = new LinkedHashMap<>();
        ServiceSpec.ALL.forEach(s -> ports.put(s, FreePorts.find()));
        // One signing key for both user-service instances (the operator's generator makes it), and a
        // clock skew of 1 s, so that an expired access token is soon refused (smallrye-jwt ignores 0).
        env.put("JWT_SIGNING_JWK", TestJwt.operatorSigningJwk(ROOT));
        env.put("MP_JWT_VERIFY_CLOCK_SKEW", "1");
        // keys that reach their expiresAt are announced within a second
        env.put("E2ECHAT_USERS_KEY_EXPIRY_CHECK_INTERVAL", "1s");
        env.put("E2ECHAT_USERS_JWT_CLOCK_SKEW", "1s");
        env.putAll(LocalStack.ONE_ADDRESS_FOR_ALL_CLIENTS);
        env.put("MONGODB_URL", infra.mongo().connectionString());
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
        ports.forEach((spec, port) -> env.put(spec.envPrefix() + "_URL", "http://127.0.0.1:" + port));
        for (ServiceSpec spec : ServiceSpec.ALL) {
            services.add(ServiceProcess.start(ROOT, spec, ports.get(spec), env, LOGS.resolve(spec.name() + ".log")));
        }
        // A second user-service on the same database and key that issues 4-second access tokens.
        Map<String, String> shortLived = new LinkedHashMap<>(env);
        shortLived.put("E2ECHAT_USERS_JWT_ACCESS_TOKEN_TTL", "4s");
        int shortPort = FreePorts.find();
        services.add(ServiceProcess.start(ROOT, ServiceSpec.ALL.get(0), shortPort, shortLived,
                LOGS.resolve("user-service-short-tokens.log")));
        for (ServiceProcess service : services) {
            service.awaitReady(READY, () -> false);
        }
        endpoints = new Endpoints(url(ports, 0), url(ports, 1), url(ports, 2), url(ports, 3));
        shortTokenEndpoints = new Endpoints(URI.create("http://127.0.0.1:" + shortPort), url(ports, 1), url(ports, 2),
                url(ports, 3));
    }

    /**
     * Stops the gateway (SIGTERM: its sockets get 1001), runs {@code whileDown}, and starts a new
     * gateway process on the same port, waiting until it is ready. Its log joins the audit.
     */
    private static void restartGateway(Runnable whileDown) throws IOException, InterruptedException {
        ServiceProcess old = services.stream().filter(p -> p.spec().websocket()).findFirst().orElseThrow();
        old.close();
        whileDown.run();
        ServiceProcess restarted = ServiceProcess.start(ROOT, old.spec(), old.port(), env,
                LOGS.resolve(old.spec().name() + "-restarted.log"));
        retired.add(old);
        services.set(services.indexOf(old), restarted);
        restarted.awaitReady(READY, () -> false);
    }

    private static URI url(Map<ServiceSpec, Integer> ports, int index) {
        return URI.create("http://127.0.0.1:" + ports.get(ServiceSpec.ALL.get(index)));
    }

    @AfterAll
    static void stopTheSystem() {
        try {
            clients.forEach(ChatClient::close);
        } finally { // the service processes never outlive the test, whatever failed before
            services.forEach(s -> s.process().destroy());
            services.forEach(ServiceProcess::close);
            if (infra != null) {
                infra.close();
            }
        }
    }

    @Test
    void threeUsersChatThroughRemovalRotationOfflineCatchUpAndDeletionLeavingNoSecretOnAnyServer()
            throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        ChatClient alice = register("alice" + run, "Alice Liddell");
        ChatClient bob = register("bob" + run, "Bob Builder");
        ChatClient carol = register("carol" + run, "Carol Danvers");
        for (ChatClient c : List.of(alice, bob, carol)) {
            c.connect();
        }

        // Group creation; session-service may not have consumed the registrations yet (documented 422).
        String sid = alice.createGroup(List.of(bob.userId(), carol.userId()), Duration.ofSeconds(15));

        // Everyone sends; everyone receives every message live over the socket and decrypts it.
        send(alice, sid);
        send(bob, sid);
        send(carol, sid);
        for (ChatClient c : List.of(alice, bob, carol)) {
            await().atMost(LIVE).until(() -> c.messages(sid).size() == 3);
            assertEquals(plaintexts, texts(c.messages(sid)), c.username() + " decrypted what was sent, in seq order");
        }

        // Removal: the next send needs a rekey; alice rotates, and carol is cut off from then on.
        alice.removeMember(sid, carol.userId());
        ChatApiException refused = assertThrows(ChatApiException.class, () -> alice.send(sid, "never stored"));
        assertTrue(refused.is(409, "rekey-required"), refused.getMessage());
        long removalEpoch = alice.session(sid).path("currentEpoch").asLong();
        long epochAfter = alice.rotate(sid);
        assertEquals(removalEpoch + 1, epochAfter);
        send(alice, sid);
        await().atMost(LIVE).until(() -> bob.messages(sid).size() == 4);
        assertEquals(plaintexts, texts(bob.messages(sid)));
        assertEquals(epochAfter, bob.messages(sid).get(3).epoch());
        assertEquals(3, carol.messages(sid).size(), "carol received nothing after her removal");
        await().atMost(LIVE).until(() -> heard.get(carol).events.stream().anyMatch(e -> e.startsWith("MemberRemoved")));
        await().atMost(LIVE).until(() -> heard.get(bob).events.contains("SessionKeyRotated@" + epochAfter));
        assertFalse(heard.get(carol).events.contains("SessionKeyRotated@" + epochAfter), heard.get(carol).events.toString());
        ChatApiException noEnvelope = assertThrows(ChatApiException.class, () -> carol.epochKey(sid, epochAfter));
        assertEquals(404, noEnvelope.status(), noEnvelope.getMessage());
        assertEquals(List.of(removalEpoch), carol.unwrapOwnEnvelopes(sid), "only her membership's envelopes");
        assertEquals(List.of(removalEpoch, epochAfter), bob.unwrapOwnEnvelopes(sid));
        assertEquals(0, carol.catchUp(sid), "carol cannot read messages after her removal");
        assertEquals(3, carol.readAll(sid).size());
        ChatApiException carolSends = assertThrows(ChatApiException.class, () -> carol.send(sid, "after removal"));
        assertTrue(carolSends.is(403, "membership-ended"), carolSends.getMessage());

        // Bob goes offline; messages continue; he reconnects and catches up, no gap, no duplicate.
        bob.disconnect();
        for (int i = 0; i < 3; i++) {
            send(alice, sid);
        }
        await().atMost(LIVE).until(() -> alice.messages(sid).size() == 7);
        assertEquals(4, bob.messages(sid).size(), "bob was offline");
        bob.reconnect(List.of(sid));
        send(alice, sid);
        await().atMost(LIVE).until(() -> bob.messages(sid).size() == 8);
        List<ReceivedMessage> bobs = bob.messages(sid);
        assertEquals(LongStream.rangeClosed(1, 8).boxed().toList(), bobs.stream().map(ReceivedMessage::seq).toList());
        assertEquals(8, new HashSet<>(bobs.stream().map(ReceivedMessage::messageId).toList()).size());
        assertEquals(plaintexts, texts(bobs));
        assertEquals(3, carol.messages(sid).size(), "still nothing for carol");
        assertEquals(bobs.stream().map(ReceivedMessage::messageId).toList(), heard.get(bob).delivered,
                "bob's application saw every message exactly once, in seq order, whatever the socket redelivered");

        // TOFU: each pinned the others' fingerprints as computed from their keys; nothing changed.
        assertEquals(bob.publicIdentity().fingerprintHex(), alice.tofu().pinnedFingerprint(bob.userId()));
        assertEquals(carol.publicIdentity().fingerprintHex(), alice.tofu().pinnedFingerprint(carol.userId()));
        assertEquals(alice.publicIdentity().fingerprintHex(), bob.tofu().pinnedFingerprint(alice.userId()));
        for (ChatClient c : List.of(alice, bob, carol)) {
            assertEquals(List.of(), heard.get(c).errors, c.username() + " had frame errors");
            assertEquals(List.of(), heard.get(c).identityChanges, c.username() + " saw identity changes");
        }

        // Alice and bob rotate at once: the first rotation wins and the other adopts its key
        // (409 stale-epoch, then its own envelope), or, if they did not overlap, both apply in turn.
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<Long> aliceRotation = CompletableFuture.supplyAsync(() -> rotateAfter(together, alice, sid));
        CompletableFuture<Long> bobRotation = CompletableFuture.supplyAsync(() -> rotateAfter(together, bob, sid));
        assertTrue(aliceRotation.get(30, TimeUnit.SECONDS) > epochAfter);
        assertTrue(bobRotation.get(30, TimeUnit.SECONDS) > epochAfter);
        long serverEpoch = alice.session(sid).path("currentEpoch").asLong();
        assertTrue(serverEpoch == epochAfter + 1 || serverEpoch == epochAfter + 2, "epoch " + serverEpoch);
        send(alice, sid);
        send(bob, sid);
        for (ChatClient c : List.of(alice, bob)) {
            await().atMost(LIVE).until(() -> c.messages(sid).size() == 10);
            assertEquals(plaintexts, texts(c.messages(sid)), c.username() + " reads both after the concurrent rotation");
            assertEquals(serverEpoch, c.messages(sid).get(9).epoch());
        }
        assertEquals(32, alice.epochKey(sid, serverEpoch).length);
        assertTrue(Arrays.equals(alice.epochKey(sid, serverEpoch), bob.epochKey(sid, serverEpoch)),
                "one key per epoch, whoever won");
        assertEquals(3, carol.messages(sid).size());

        // Identity rotation forces a rekey: bob uploads a new identity; the session needs a new key,
        // and alice is warned of bob's changed key and must accept it before wrapping to it.
        int bobsNewVersion = bob.rotateIdentity();
        await().atMost(LIVE).until(() -> alice.session(sid).path("rekeyRequired").asBoolean());
        ChatApiException keyChanged = assertThrows(ChatApiException.class, () -> alice.send(sid, "never stored either"));
        assertTrue(keyChanged.is(409, "rekey-required"), keyChanged.getMessage());
        IdentityChangedException warning = assertThrows(IdentityChangedException.class, () -> alice.rotate(sid));
        assertEquals(bob.userId(), warning.change().userId());
        assertEquals(bobsNewVersion, warning.change().newKeyVersion());
        assertEquals(1, heard.get(alice).identityChanges.size(), "the change was surfaced to the listener");
        alice.tofu().accept(bob.userId(), bobsNewVersion, warning.change().newFingerprint());
        long finalEpoch = alice.rotate(sid);
        assertEquals(serverEpoch + 1, finalEpoch);
        send(bob, sid);
        send(alice, sid);
        for (ChatClient c : List.of(alice, bob)) {
            await().atMost(LIVE).until(() -> c.messages(sid).size() == 12);
            assertEquals(plaintexts, texts(c.messages(sid)), c.username() + " reads across bob's identity rotation");
        }

        // The gateway restarts (a deploy): its sockets get 1001; clients that asked to stay connected
        // come back by themselves with backoff once it is live again, catch up what was sent while
        // it was down, and continue live, with no gap and no duplicate.
        alice.stayConnected(Duration.ofMillis(200), Duration.ofSeconds(2));
        bob.stayConnected(Duration.ofMillis(200), Duration.ofSeconds(2));
        restartGateway(() -> send(alice, sid));
        await().atMost(LIVE).until(() -> bob.messages(sid).size() == 13); // sent while the gateway was down: catch-up
        assertTrue(heard.get(bob).closes.contains(1001), "bob heard " + heard.get(bob).closes);
        await().atMost(LIVE).until(() -> alice.connected() && bob.connected());
        assertFalse(heard.get(bob).reconnected.isEmpty(), "bob's client reconnected by itself");
        send(alice, sid);
        await().atMost(LIVE).until(() -> bob.messages(sid).size() == 14);
        assertEquals(plaintexts, texts(bob.messages(sid)));
        assertEquals(bob.messages(sid).stream().map(ReceivedMessage::messageId).toList(), heard.get(bob).delivered,
                "each message once, in seq order, across the restart");
        assertEquals(List.of(), heard.get(bob).errors);

        // Access tokens expire under a long-running client: dora's live for 4 s. The gateway closes her
        // socket at expiry (1008 token expired); her client refreshes and reconnects by itself, and a
        // REST call refused with 401 is refreshed and repeated, so she keeps chatting.
        ChatClient dora = register(shortTokenEndpoints, "dora-" + UUID.randomUUID().toString().substring(0, 8), "Dora");
        dora.stayConnected(Duration.ofMillis(200), Duration.ofSeconds(2));
        String doraChat = alice.createGroup(List.of(dora.userId()), Duration.ofSeconds(15));
        await().atMost(LIVE).until(() -> heard.get(dora).closes.contains(1008) && !heard.get(dora).reconnected.isEmpty());
        String toDora = "after dora's token expired CANARY-" + UUID.randomUUID();
        otherPlaintexts.add(toDora);
        alice.send(doraChat, toDora);
        await().atMost(LIVE).until(() -> texts(dora.messages(doraChat)).contains(toDora));
        dora.disconnect(); // no socket to refresh her token from now on
        Thread.sleep(5_500); // her token expires (4 s + 1 s skew); the next REST call meets a 401 first
        String fromDora = "dora after another expiry CANARY-" + UUID.randomUUID();
        otherPlaintexts.add(fromDora);
        dora.send(doraChat, fromDora);
        assertEquals(List.of(toDora, fromDora), texts(alice.readAll(doraChat)));
        assertEquals(List.of(), heard.get(dora).errors);

        // Tokens refresh; a direct session is unique per pair; a member added with a rotation reads
        // only from the epoch they joined.
        alice.refresh();
        String direct = alice.createDirect(bob.userId(), Duration.ofSeconds(15));
        assertEquals(direct, bob.createDirect(alice.userId(), Duration.ofSeconds(15)), "one direct session per pair");
        String directText = "direct CANARY-" + UUID.randomUUID();
        otherPlaintexts.add(directText);
        bob.send(direct, directText);
        assertEquals(List.of(directText), texts(alice.readAll(direct)));
        ChatClient erin = register("erin-" + UUID.randomUUID().toString().substring(0, 8), "Erin");
        String club = alice.createGroup(List.of(bob.userId()), Duration.ofSeconds(15));
        String beforeErin = "before erin CANARY-" + UUID.randomUUID();
        String afterErin = "after erin CANARY-" + UUID.randomUUID();
        otherPlaintexts.addAll(List.of(beforeErin, afterErin));
        alice.send(club, beforeErin);
        long joined = alice.addMembers(club, List.of(erin.userId()));
        alice.send(club, afterErin);
        assertEquals(List.of(joined), erin.unwrapOwnEnvelopes(club), "no key of the epochs before joining");
        assertEquals(List.of(afterErin), texts(erin.readAll(club)));
        assertEquals(List.of(beforeErin, afterErin), texts(bob.readAll(club)));

        // Key audit material, collected before bob's client is gone.
        Set<String> keys = new LinkedHashSet<>();
        keys.addAll(epochKeys(alice, sid, doraChat, direct, club));
        keys.addAll(epochKeys(bob, sid, direct, club));
        keys.addAll(epochKeys(carol, sid));
        keys.addAll(epochKeys(erin, club));
        Set<String> groupKeys = new LinkedHashSet<>();
        for (long e = 1; e <= finalEpoch; e++) {
            groupKeys.add(java.util.Base64.getEncoder().encodeToString(alice.epochKey(sid, e)));
        }
        assertEquals(finalEpoch, groupKeys.size(), "a different key for every epoch");
        assertTrue(keys.containsAll(groupKeys));

        // Bob deletes his account; his old messages keep his name.
        bob.deleteAccount(PASSWORD);
        List<ReceivedMessage> history = alice.readAll(sid);
        assertEquals(14, history.size());
        assertEquals(plaintexts, texts(history));
        ReceivedMessage bobsMessage = history.get(1);
        assertEquals(bob.userId(), bobsMessage.senderId());
        assertEquals(bob.username(), bobsMessage.senderUsername());
        assertEquals("Bob Builder", bobsMessage.senderDisplayName());
        assertEquals(plaintexts.get(1), bobsMessage.text());

        // The CLI on the same system: dave registers, makes a group with alice, sends, chats and reads;
        // alice's SDK decrypts what the CLI encrypted.
        Path daveHome = LOGS.resolve("cli-dave-" + UUID.randomUUID());
        String dave = "dave-" + UUID.randomUUID().toString().substring(0, 8);
        CliRun registered = cli(daveHome, PASSWORD, "", "register", dave, "Dave", "Dee");
        assertEquals(0, registered.code(), registered.err());
        assertTrue(registered.out().contains("fingerprint "), registered.out());
        CliRun group = cli(daveHome, PASSWORD, "", "create-group", alice.username());
        assertEquals(0, group.code(), group.err());
        String daveSession = group.out().trim();
        String fromCli = "from the cli CANARY-" + UUID.randomUUID();
        plaintexts.add(fromCli);
        CliRun sent = cli(daveHome, PASSWORD, "", "send", daveSession, fromCli);
        assertEquals("sent #1", sent.out().trim(), sent.err());
        String fromChat = "typed in chat CANARY-" + UUID.randomUUID();
        plaintexts.add(fromChat);
        CliRun chat = cli(daveHome, PASSWORD, fromChat + "\n/quit\n", "chat", daveSession);
        assertEquals(0, chat.code(), chat.err());
        assertTrue(chat.out().contains("Dave Dee: " + fromCli) && chat.out().contains("sent #2"), chat.out());
        CliRun read = cli(daveHome, PASSWORD, "", "read", daveSession);
        assertTrue(read.out().contains("#2 Dave Dee: " + fromChat), read.out());
        assertEquals(List.of(fromCli, fromChat), texts(alice.readAll(daveSession)), "the SDK reads what the CLI sent");
        assertTrue(cli(daveHome, PASSWORD, "", "sessions").out().contains(daveSession));
        String daveId = alice.userIdOf(dave);
        assertEquals(alice.publicIdentity().safetyNumber(alice.currentIdentity(daveId)),
                cli(daveHome, PASSWORD, "", "safety-number", alice.username()).out().trim(), "both sides see one number");
        Path frankHome = LOGS.resolve("cli-frank-" + UUID.randomUUID());
        String frank = "frank-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals(0, cli(frankHome, PASSWORD, "", "register", frank, "Frank").code());
        assertTrue(cli(frankHome, PASSWORD, "", "login").out().contains("logged in as " + frank));
        CliRun frankDirect = cli(frankHome, PASSWORD, "", "direct", alice.username());
        assertEquals(0, frankDirect.code(), frankDirect.err());
        assertEquals(frankDirect.out().trim(), alice.createDirect(alice.userIdOf(frank), Duration.ofSeconds(15)));
        CliRun added = cli(daveHome, PASSWORD, "", "add", daveSession, frank);
        assertEquals(0, added.code(), added.err());
        assertTrue(cli(frankHome, PASSWORD, "", "sessions").out().contains(daveSession));
        CliRun newIdentity = cli(frankHome, PASSWORD, "", "rotate-identity");
        assertTrue(newIdentity.out().startsWith("identity version 2"), newIdentity.out() + newIdentity.err());
        CliRun rekeyed = cli(frankHome, PASSWORD, "", "rotate", frankDirect.out().trim());
        assertEquals(0, rekeyed.code(), rekeyed.err());
        CliRun forbidden = cli(frankHome, PASSWORD, "", "remove", frankDirect.out().trim(), alice.username());
        assertEquals(1, forbidden.code());
        assertTrue(forbidden.err().startsWith("error: Forbidden") && !forbidden.err().contains("Exception"),
                forbidden.err());
        // Pins outlive a CLI run: gina pins frank's key, frank rotates it, and gina's next run warns
        // (exit 3) and keeps refusing until she trusts the new key explicitly.
        Path ginaHome = LOGS.resolve("cli-gina-" + UUID.randomUUID());
        assertEquals(0, cli(ginaHome, PASSWORD, "", "register", "gina-" + UUID.randomUUID().toString().substring(0, 8),
                "Gina").code());
        CliRun pinned = cli(ginaHome, PASSWORD, "", "safety-number", frank);
        assertEquals(0, pinned.code(), pinned.err());
        assertTrue(cli(frankHome, PASSWORD, "", "rotate-identity").out().startsWith("identity version 3"));
        CliRun changed = cli(ginaHome, PASSWORD, "", "safety-number", frank);
        assertEquals(3, changed.code(), changed.out());
        assertTrue(changed.err().startsWith("WARNING: the identity of " + frank + " changed (key version 2 -> 3)"),
                changed.err());
        assertTrue(changed.err().trim().endsWith("then run: trust " + frank), changed.err());
        CliRun trusted = cli(ginaHome, PASSWORD, "", "trust", frank);
        assertEquals("now trusting " + frank + " key version 3", trusted.out().trim(), trusted.err());
        CliRun compared = cli(ginaHome, PASSWORD, "", "safety-number", frank);
        assertEquals(0, compared.code(), compared.err());
        assertNotEquals(pinned.out().trim(), compared.out().trim(), "a new key gives a new safety number");
        Files.writeString(ginaHome.resolve("pins.txt"), "not a pin line\n");
        CliRun damaged = cli(ginaHome, PASSWORD, "", "safety-number", frank);
        assertEquals(1, damaged.code(), damaged.out());
        assertTrue(damaged.err().startsWith("error: the pinned keys in this --home are damaged"), damaged.err());
        // Short commands continue one login with its sealed refresh token: a burst of twelve commands
        // in a few seconds spends no login attempt (user-service allows ten per minute).
        Path hankHome = LOGS.resolve("cli-hank-" + UUID.randomUUID());
        assertEquals(0, cli(hankHome, PASSWORD, "", "register", "hank-" + UUID.randomUUID().toString().substring(0, 8),
                "Hank").code());
        for (int i = 0; i < 12; i++) {
            CliRun burst = cli(hankHome, PASSWORD, "", "whoami");
            assertEquals(0, burst.code(), "command " + i + ": " + burst.err());
        }
        assertTrue(new String(Files.readAllBytes(hankHome.resolve("login.sealed")), StandardCharsets.ISO_8859_1)
                .contains("e2echat/secret-at-rest/v1"), "the refresh token is stored sealed");
        CliRun unknown = cli(daveHome, PASSWORD, "", "dance");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("usage: e2echat"), unknown.err());
        CliRun missing = cli(daveHome, PASSWORD, "", "read", UUID.randomUUID().toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("error: ") && !missing.err().contains("\tat ") && !missing.err().contains("Exception"),
                missing.err());
        CliRun wrong = cli(daveHome, "not the password", "", "whoami");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("wrong password"), wrong.err());
        CliRun deleted = cli(daveHome, PASSWORD, "", "delete-account");
        assertEquals(0, deleted.code(), deleted.err());

        plaintexts.addAll(otherPlaintexts);
        assertNoSecretAnywhere(keys, alice.publicIdentity().kemPublicKeyBase64());
    }

    /** Every epoch key {@code client} holds for these sessions (base64), through its own envelopes. */
    private static List<String> epochKeys(ChatClient client, String... sessionIds) {
        List<String> keys = new ArrayList<>();
        for (String sessionId : sessionIds) {
            for (long epoch : client.unwrapOwnEnvelopes(sessionId)) {
                keys.add(Base64.getEncoder().encodeToString(client.epochKey(sessionId, epoch)));
            }
        }
        return keys;
    }

    /**
     * Key expiry end to end: bob's key expires while his device is offline; session-service
     * requires a rekey (KEY_EXPIRED), nobody can wrap to him and he cannot send; his SDK renews
     * when he is back (a new key version), alice accepts his new key and rotates, and they chat on.
     * Then the CLI renews a key about to expire by itself, and its chat shows history once.
     */
    @Test
    void anExpiredKeyActsLikeARevocationUntilItsOwnerRenewsAndTheSessionRotates() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        ChatClient alice = register("alice-x" + run, "Alice");
        ChatClient bob = ChatClient.register(endpoints, "bob-x" + run, "Bob", PASSWORD,
                new KeyPolicy(Duration.ofSeconds(15), Duration.ZERO));
        clients.add(bob);
        String sid = alice.createGroup(List.of(bob.userId()), Duration.ofSeconds(15));
        alice.send(sid, "before the expiry");
        bob.unwrapOwnEnvelopes(sid);
        assertEquals(List.of("before the expiry"), texts(bob.readAll(sid)));
        List<org.e2echat.client.crypto.Identity> bobsKeys = List.of(bob.ownIdentity(1));
        bob.close(); // bob's device goes offline and stays away past his key's expiry

        // expire: user-service announces it; the session needs a new key for KEY_EXPIRED
        await().atMost(Duration.ofSeconds(60)).until(() -> "KEY_EXPIRED".equals(alice.session(sid)
                .path("rekeyReason").asText()));
        assertTrue(alice.session(sid).path("rekeyRequired").asBoolean());
        ChatApiException refused = assertThrows(ChatApiException.class, () -> alice.send(sid, "never stored"));
        assertTrue(refused.is(409, "rekey-required"), refused.getMessage());
        IllegalStateException noKey = assertThrows(IllegalStateException.class, () -> alice.rotate(sid));
        assertTrue(noKey.getMessage().contains("no usable key"), noKey.getMessage());

        // bob's client without renewal: he cannot send with the expired key
        ChatClient offline = ChatClient.restore(endpoints, bob.userId(), bob.username(), PASSWORD, bobsKeys,
                KeyPolicy.MANUAL);
        clients.add(offline);
        ChatApiException bobRefused = assertThrows(ChatApiException.class, () -> offline.send(sid, "never stored"));
        assertTrue(bobRefused.is(409, "rekey-required"), bobRefused.getMessage());
        assertEquals("KEY_EXPIRED", bobRefused.problem().path("reason").asText());
        offline.close();

        // renewal: back online, bob's SDK uploads the next key version by itself
        ChatClient back = ChatClient.restore(endpoints, bob.userId(), bob.username(), PASSWORD, bobsKeys,
                new KeyPolicy(Duration.ofDays(30), Duration.ofDays(1)));
        clients.add(back);
        KeyRenewal renewal = back.renewalAtSignIn().orElseThrow();
        assertEquals(1, renewal.previousVersion());
        assertEquals(2, renewal.version());

        // rotation: alice is warned of bob's new key, accepts it and rotates; both chat on
        await().atMost(LIVE).ignoreExceptionsInstanceOf(IllegalStateException.class).until(() -> {
            try {
                alice.currentIdentity(back.userId());
                return false;
            } catch (IdentityChangedException e) {
                alice.tofu().accept(back.userId(), e.change().newKeyVersion(), e.change().newFingerprint());
                return true;
            }
        });
        long epoch = alice.rotate(sid);
        assertEquals(2, epoch);
        back.send(sid, "after the renewal");
        assertEquals(List.of("before the expiry", "after the renewal"), texts(alice.readAll(sid)));
        back.unwrapOwnEnvelopes(sid);
        assertEquals(List.of("before the expiry", "after the renewal"), texts(back.readAll(sid)),
                "bob reads the old epoch with his old key and the new one with the renewed key");

        // the CLI renews a key about to expire by itself and says so
        Path ivyHome = LOGS.resolve("cli-ivy-" + UUID.randomUUID());
        String ivy = "ivy-" + UUID.randomUUID().toString().substring(0, 8);
        CliRun registered = cli(ivyHome, PASSWORD, "", "--key-lifetime", "20s", "register", ivy, "Ivy");
        assertEquals(0, registered.code(), registered.err());
        Thread.sleep(11_000); // past half of the key's life: due for renewal
        CliRun renewed = cli(ivyHome, PASSWORD, "", "--key-lifetime", "30d", "whoami");
        assertEquals(0, renewed.code(), renewed.err());
        assertTrue(renewed.err().startsWith("-- your key version 1 expires at "), renewed.err());
        assertTrue(renewed.out().contains("key version 2"), renewed.out());
        assertTrue(cli(ivyHome, PASSWORD, "", "whoami").err().isEmpty(), "renewed once");

        // the CLI's chat shows the history once, then what arrives live
        CliRun group = cli(ivyHome, PASSWORD, "", "create-group", alice.username());
        assertEquals(0, group.code(), group.err());
        String ivySession = group.out().trim();
        alice.send(ivySession, "one");
        alice.send(ivySession, "two");
        try (java.io.PipedOutputStream typing = new java.io.PipedOutputStream();
                java.io.PipedInputStream keyboard = new java.io.PipedInputStream(typing)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CompletableFuture<Integer> chat = CompletableFuture.supplyAsync(() -> new Cli(
                    Map.of("E2ECHAT_PASSWORD", PASSWORD), keyboard, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .run(cliArgs(ivyHome, "chat", ivySession)));
            await().atMost(LIVE).until(() -> out.toString(StandardCharsets.UTF_8).contains("-- connected"));
            alice.send(ivySession, "three");
            await().atMost(LIVE).until(() -> out.toString(StandardCharsets.UTF_8).contains("#3 Alice: three"));
            typing.write("/quit\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            assertEquals(0, chat.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("#1 Alice: one", "#2 Alice: two", "-- connected; type to send, /quit to leave",
                    "#3 Alice: three"), out.toString(StandardCharsets.UTF_8).lines().toList());
        }
    }

    private static long rotateAfter(CyclicBarrier barrier, ChatClient client, String sid) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return client.rotate(sid);
    }

    private ChatClient register(String username, String displayName) {
        return register(endpoints, username, displayName);
    }

    private ChatClient register(Endpoints through, String username, String displayName) {
        ChatClient client = ChatClient.register(through, username, displayName, PASSWORD);
        clients.add(client);
        Recorder recorder = new Recorder();
        client.addListener(recorder);
        heard.put(client, recorder);
        return client;
    }

    private void send(ChatClient from, String sid) {
        String text = "hello from " + from.username() + " CANARY-" + UUID.randomUUID();
        plaintexts.add(text);
        from.send(sid, text);
    }

    /** What one CLI invocation printed and returned. */
    private record CliRun(int code, String out, String err) {
    }

    private static String[] cliArgs(Path home, String... args) {
        List<String> all = new ArrayList<>(List.of("--home", home.toString(),
                "--user-service", endpoints.userService().toString(),
                "--session-service", endpoints.sessionService().toString(),
                "--message-service", endpoints.messageService().toString(),
                "--gateway", endpoints.gateway().toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static CliRun cli(Path home, String password, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(Map.of("E2ECHAT_PASSWORD", password),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(cliArgs(home, args));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<ReceivedMessage> messages) {
        return messages.stream().map(ReceivedMessage::text).toList();
    }

    // ---------------------------------------------------------------- canary audit

    /**
     * Searches every store for every secret. {@code publicBase64} is a value that must be found in
     * the MongoDB dump, proving that base64 written by the services is searchable as the keys would be.
     */
    private void assertNoSecretAnywhere(Set<String> base64Keys, String publicBase64) throws IOException {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < plaintexts.size(); i++) {
            String text = plaintexts.get(i);
            secrets.put("plaintext " + i, text);
            secrets.put("canary " + i, text.substring(text.indexOf("CANARY-")));
        }
        int n = 0;
        for (String key : base64Keys) {
            n++;
            secrets.put("session key " + n + " (base64)", key);
            secrets.put("session key " + n + " (hex)", HexFormat.of().formatHex(Base64.getDecoder().decode(key)));
        }

        String mongo = SecretAudit.mongoDump(infra.mongo().connectionString());
        String topics = SecretAudit.topicDump(infra.kafka().bootstrapServers());
        assertTrue(mongo.contains("\"ciphertext\""), "the dump holds the stored messages at all");
        assertTrue(mongo.contains(publicBase64), "the dump shows stored base64 values verbatim");
        assertTrue(topics.contains("MessageStored"), "the topics hold message events at all");
        Map<String, String> stores = new LinkedHashMap<>();
        stores.put("MongoDB", mongo);
        stores.put("Kafka topics", topics);
        List<ServiceProcess> everyProcess = new ArrayList<>(services);
        everyProcess.addAll(retired);
        for (ServiceProcess service : everyProcess) {
            String log = new String(Files.readAllBytes(service.log()), StandardCharsets.UTF_8);
            assertTrue(log.contains("started in"), service.log() + " is the service's output");
            stores.put(service.log().getFileName() + "", log);
        }
        assertEquals(List.of(), SecretAudit.leaks(secrets, stores));
    }
}
