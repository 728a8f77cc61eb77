package org.e2echat.client.cli;

import static org.e2echat.client.sdk.StubServices.json;
import static org.e2echat.client.sdk.StubServices.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.e2echat.client.crypto.EncryptedMessage;
import org.e2echat.client.crypto.Envelope;
import org.e2echat.client.crypto.Envelopes;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.MessageContent;
import org.e2echat.client.crypto.Messages;
import org.e2echat.client.crypto.PublicIdentity;
import org.e2echat.client.crypto.SessionKeys;
import org.e2echat.client.sdk.Endpoints;
import org.e2echat.client.sdk.StubGateway;
import org.e2echat.client.sdk.StubServices;
import org.e2echat.client.sdk.StubServices.StubStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against scripted services: what it prints for people, whatever the messages and keys it meets. */
class CliTest {

    private static final String PASSWORD = "long enough password";
    private static final String SESSION = "5e55104e-0000-4000-8000-000000000001";

    @TempDir
    Path home;

    @RegisterExtension
    final StubServices services = new StubServices();
    private final StubStore store = new StubStore();
    private final byte[] epochKey = SessionKeys.newSessionKey();
    private Identity alice;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        services.routes.put("GET /v1/users/u-alice/keys", x -> json(200, "{\"keys\":[]}"));
        Run registered = cli(services.endpoints(), "", "register", "alice", "Alice");
        assertEquals(0, registered.code(), registered.err());
        alice = new Profile(home).load(PASSWORD.toCharArray()).identities().get(0);
        Envelope mine = Envelopes.wrap(epochKey, SESSION, 1, "u-alice", alice.publicIdentity(), "u-alice", alice);
        ObjectNode envelope = StubServices.JSON.createObjectNode().put("sessionId", SESSION).put("epoch", 1)
                .put("recipientId", "u-alice").put("recipientKeyVersion", 1).put("senderId", "u-alice")
                .put("senderKeyVersion", 1).put("suite", mine.suite()).put("enc", mine.encBase64())
                .put("ciphertext", mine.ciphertextBase64()).put("signature", mine.signatureBase64());
        services.routes.put("GET /v1/sessions/" + SESSION + "/envelopes", x -> json(200, "[" + envelope + "]"));
        services.serve(SESSION, store);
    }

    private void stored(MessageContent content) {
        stored(content, "u-alice", alice);
    }

    /** A message from {@code sender} (the user {@code u-NAME}, display name "Name") in the store. */
    private void stored(MessageContent content, String sender, Identity identity) {
        EncryptedMessage m = Messages.encrypt(epochKey, SESSION, 1, sender, UUID.randomUUID(), content, identity);
        String name = sender.replace("u-", "");
        ObjectNode body = StubServices.JSON.createObjectNode().put("clientMessageId", m.clientMessageId().toString())
                .put("epoch", 1).put("suite", m.suite()).put("nonce", m.nonceBase64())
                .put("ciphertext", m.ciphertextBase64()).put("signature", m.signatureBase64())
                .put("formatVersion", m.formatVersion()).put("senderKeyVersion", 1).put("senderId", sender)
                .put("senderUsername", name)
                .put("senderDisplayName", Character.toUpperCase(name.charAt(0)) + name.substring(1));
        store.send(SESSION, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readShowsEveryGoodMessageAndALineForEachBadOneAndContentWithoutText() {
        stored(MessageContent.text("one"));
        stored(MessageContent.text("two"));
        stored(new MessageContent("receipt", null));
        stored(MessageContent.text("four"));
        byte[] flipped = Base64.getDecoder().decode(store.at(2).path("ciphertext").asText());
        flipped[3] ^= 1;
        store.tamper(2, m -> m.put("ciphertext", Base64.getEncoder().encodeToString(flipped)));

        Run read = cli(services.endpoints(), "", "read", SESSION);

        assertEquals(0, read.code(), read.err());
        assertEquals(List.of("#1 Alice: one", "#2 from alice: could not be verified \u2014 not shown",
                "#3 Alice: [a \"receipt\" message; this client shows text only]", "#4 Alice: four"),
                read.out().lines().toList());
    }

    @Test
    void theKeyChangeWarningNamesTheUsernameTrustExpects() {
        List<PublicIdentity> served = new ArrayList<>(List.of(Identity.generate(1).publicIdentity(),
                Identity.generate(2).publicIdentity()));
        services.routes.put("GET /v1/users/by-username/bob", x -> json(200, "{\"id\":\"u-bob\",\"username\":\"bob\"}"));
        services.routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", served.get(0))));
        assertEquals(0, cli(services.endpoints(), "", "safety-number", "bob").code());
        served.remove(0);
        Run changed = cli(services.endpoints(), "", "safety-number", "bob");
        assertEquals(3, changed.code(), changed.out());
        assertTrue(changed.err().startsWith("WARNING: the identity of bob changed (key version 1 -> 2)."), changed.err());
        assertTrue(changed.err().trim().endsWith("then run: trust bob"), changed.err());
    }

    @Test
    void aKeyAboutToExpireIsRenewedByTheNextCommandWhichSaysSo() throws Exception {
        Instant now = Instant.now();
        services.routes.put("GET /v1/users/u-alice/keys", x -> json(200, "{\"keys\":[{\"version\":1,"
                + "\"status\":\"ACTIVE\",\"createdAt\":\"" + now.minus(Duration.ofDays(80)) + "\",\"expiresAt\":\""
                + now.plus(Duration.ofDays(3)) + "\"}]}"));
        services.routes.put("POST /v1/users/me/keys", x -> json(201, "{\"version\":2,\"status\":\"ACTIVE\"}"));

        Run whoami = cli(services.endpoints(), "", "--renew-within", "5d", "whoami");

        assertEquals(0, whoami.code(), whoami.err());
        assertTrue(whoami.err().startsWith("-- your key version 1 expires at "), whoami.err());
        assertTrue(whoami.err().contains("renewed: key version 2, valid until "), whoami.err());
        assertTrue(whoami.out().contains("key version 2"), whoami.out());
        assertTrue(Files.exists(home.resolve("identity-2.key")), "the renewed key is saved");
        assertEquals(2, new Profile(home).load(PASSWORD.toCharArray()).identities().size());
    }

    @Test
    void chatShowsTheHistoryOnceAndThenOnlyWhatArrivesLive() throws Exception {
        Identity bob = Identity.generate(1);
        services.keys("u-bob", bob.publicIdentity());
        stored(MessageContent.text("one"), "u-bob", bob);
        stored(MessageContent.text("two"));
        try (StubGateway gateway = new StubGateway("u-alice");
                PipedOutputStream typing = new PipedOutputStream();
                PipedInputStream keyboard = new PipedInputStream(typing)) {
            typing.write("\n".getBytes(StandardCharsets.UTF_8)); // an empty line: nothing sent
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CompletableFuture<Integer> chat = CompletableFuture.supplyAsync(() -> new Cli(
                    Map.of("E2ECHAT_PASSWORD", PASSWORD), keyboard, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .run(args(services.endpointsWithGateway(gateway.port()), "chat", SESSION)));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> out.toString(StandardCharsets.UTF_8)
                    .contains("-- connected"));
            stored(MessageContent.text("three"), "u-bob", bob);
            gateway.sendText("{\"type\":\"message\",\"message\":" + store.at(3) + "}");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> out.toString(StandardCharsets.UTF_8)
                    .contains("#3 Bob: three"));
            typing.write("/quit\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            assertEquals(0, chat.get(20, TimeUnit.SECONDS));
            assertEquals(List.of("#1 Bob: one", "#2 Alice: two", "-- connected; type to send, /quit to leave",
                    "#3 Bob: three"), out.toString(StandardCharsets.UTF_8).lines().toList());
        }
    }

    private String[] args(Endpoints endpoints, String... command) {
        List<String> all = new ArrayList<>(List.of("--home", home.toString(),
                "--user-service", endpoints.userService().toString(),
                "--session-service", endpoints.sessionService().toString(),
                "--message-service", endpoints.messageService().toString(),
                "--gateway", endpoints.gateway().toString()));
        all.addAll(List.of(command));
        return all.toArray(String[]::new);
    }

    private Run cli(Endpoints endpoints, String stdin, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int code = new Cli(Map.of("E2ECHAT_PASSWORD", PASSWORD), in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args(endpoints, command));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
