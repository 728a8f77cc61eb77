package org.e2echat.system.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.e2echat.client.sdk.ChatClient;
import org.e2echat.client.sdk.Endpoints;
import org.e2echat.client.sdk.ReceivedMessage;
import org.e2echat.infra.stack.LocalStack;
import org.e2echat.infra.stack.ServiceSpec;
import org.e2echat.infra.stack.StackOptions;
import org.e2echat.system.SecretAudit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

/**
 * The web client against the real local stack (every service its own process, as
 * {@code deploy/local/run.sh} runs it): two Chromium profiles and an SDK user chat in one group
 * through a reload, a gateway restart, a contact's key change, a removal and an account deletion;
 * afterwards no typed text is in MongoDB, the Kafka topics or any service log, and no page logged
 * a console error.
 */
class WebClientIT {

    private static final Path ROOT = Path.of(System.getProperty("e2echat.root", "../..")).toAbsolutePath().normalize();
    private static final Path OUT = ROOT.resolve("platform/system-tests/target/web-client");
    private static final Duration LIVE = Duration.ofSeconds(30);
    private static final Duration UP = Duration.ofSeconds(180);
    private static final String PASSWORD = "web client password 1";

    private static LocalStack stack;
    private static Endpoints endpoints;
    private static String page;
    private static final List<Browser> browsers = new ArrayList<>();
    private static final List<ChatClient> clients = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();

    /** Every text typed or sent in the test; each carries its own canary. */
    private final List<String> plaintexts = new ArrayList<>();

    @BeforeAll
    static void startTheStack() throws IOException {
        Files.createDirectories(OUT.resolve("screenshots"));
        stack = LocalStack.start(StackOptions.defaults(ROOT).withFreePorts().withLogDir(OUT.resolve("logs")), System.out);
        endpoints = new Endpoints(stack.url(ServiceSpec.ALL.get(0)), stack.url(ServiceSpec.ALL.get(1)),
                stack.url(ServiceSpec.ALL.get(2)), stack.url(ServiceSpec.ALL.get(3)));
        page = "http://localhost:" + stack.publishedPort(ServiceSpec.ALL.get(3)) + "/";
    }

    /** What each page showed and logged when the test failed, beside the screenshots. */
    @org.junit.jupiter.api.AfterEach
    void keepEvidence(org.junit.jupiter.api.TestInfo info) throws IOException {
        for (int i = 0; i < browsers.size(); i++) {
            Browser b = browsers.get(i);
            Files.write(OUT.resolve("screenshots/last-" + i + ".png"), b.screenshot());
            Files.writeString(OUT.resolve("last-page-" + i + ".txt"), b.find("body").getText() + "\n---- console\n"
                    + String.join("\n", b.drainConsole()));
        }
    }

    @AfterAll
    static void stopEverything() {
        clients.forEach(ChatClient::close);
        browsers.forEach(Browser::close);
        if (stack != null) {
            stack.close();
        }
    }

    private String canary(String text) {
        String full = text + " CANARY-" + UUID.randomUUID();
        plaintexts.add(full);
        return full;
    }

    @Test
    void twoBrowsersAndAnSdkUserChatThroughReloadRestartKeyChangeRemovalAndDeletionLeavingNoPlaintextOnTheServers()
            throws Exception {
        long started = System.nanoTime();
        String run = Long.toString(System.nanoTime(), 36).substring(0, 6);
        String aliceName = "alice" + run;
        String bobName = "bob" + run;
        Browser alice = browser("alice", 1200, 860);
        Browser bob = browser("bob", 390, 844); // a phone-sized screen
        register(alice, aliceName, "Alice Liddell");
        register(bob, bobName, "Bob Builder");
        ChatClient carol = ChatClient.register(endpoints, "carol" + run, "Carol Ω", PASSWORD);
        clients.add(carol);
        String aliceId = carol.userIdOf(aliceName);
        String bobId = carol.userIdOf(bobName);

        // Alice makes a group of the three; everyone reads everyone, non-ASCII included.
        alice.driver.findElement(org.openqa.selenium.By.cssSelector("#new-type option[value=GROUP]")).click();
        alice.type("#new-members", bobName + ", " + carol.username());
        alice.click("#create");
        alice.await("#title");
        String sid = eventually(() -> alice.find("#sessions button[aria-current=true]").getDomAttribute("data-session"));
        String hello = canary("héllo wörld — ½ Ω Привет from alice's browser");
        say(alice, hello);
        await().atMost(LIVE).until(() -> stateOf(alice, hello).equals("stored"));
        bob.click("#sessions button[data-session='" + sid + "']");
        awaitText(bob, hello);
        String reply = canary("bob on the phone: ça va? ✓");
        say(bob, reply);
        awaitText(alice, reply);
        await().atMost(LIVE).until(() -> texts(carol.readAll(sid)).equals(List.of(hello, reply)));
        String fromSdk = canary("Grüße from the SDK 😀 ✓");
        carol.send(sid, fromSdk);
        awaitText(alice, fromSdk);
        awaitText(bob, fromSdk);

        // A reload keeps bob's identity (IndexedDB) and catches up what was sent meanwhile.
        bob.driver.navigate().refresh();
        bob.await("#login-form");
        assertTrue(bob.find("#known-accounts").getText().contains(bobName));
        String whileAway = canary("sent while bob reloaded");
        say(alice, whileAway);
        bob.type("#login-username", bobName);
        bob.type("#login-password", PASSWORD);
        bob.click("#login");
        bob.await("#me");
        assertTrue(bob.all("#new-keys").isEmpty(), "the keys were still in the browser");
        bob.click("#sessions button[data-session='" + sid + "']");
        awaitText(bob, whileAway);
        assertEquals(List.of(hello, reply, fromSdk, whileAway), shownTexts(bob));

        // The gateway dies mid-conversation and comes back: no gap, no duplicate, the pending send goes out.
        stack.kill("gateway");
        await().atMost(LIVE).until(() -> alice.find("#status").getText().equals("reconnecting"));
        String duringRestart = canary("typed while the gateway was down");
        say(alice, duringRestart);
        String sdkDuringRestart = canary("sdk sent while the gateway was down");
        carol.send(sid, sdkDuringRestart);
        stack.awaitAllUp(UP);
        List<String> afterRestart = List.of(hello, reply, fromSdk, whileAway, duringRestart, sdkDuringRestart);
        for (Browser b : List.of(alice, bob)) {
            // the page's reconnect backoff grows to 30 s while the gateway starts
            await().atMost(LIVE.multipliedBy(2)).until(() -> shownTexts(b).size() >= afterRestart.size()
                    && "connected".equals(b.find("#status").getText()));
            assertEquals(new java.util.HashSet<>(afterRestart), new java.util.HashSet<>(shownTexts(b)));
            assertContiguous(b);
        }
        await().atMost(LIVE).until(() -> stateOf(alice, duringRestart).equals("stored"));
        screenshot(alice, "conversation-desktop");
        screenshot(bob, "conversation-phone");

        // Carol rotates her identity: alice's page warns, and nothing is wrapped to the new key until accepted.
        carol.rotateIdentity();
        await().atMost(LIVE).until(() -> !alice.all("#sessions button[data-session='" + sid + "'] .tag").isEmpty());
        String blocked = canary("waits for alice to accept carol's new key");
        say(alice, blocked);
        alice.await(".identity-warning[data-user='" + carol.userId() + "']");
        assertEquals("blocked", stateOf(alice, blocked));
        assertFalse(alice.find("#send").isEnabled(), "sending is blocked until the change is accepted");
        String expectedSafety = carol.publicIdentity().safetyNumber(carol.currentIdentity(aliceId));
        assertEquals(expectedSafety, alice.find(".identity-warning .digits").getText(), "both sides see one number");
        assertFalse(texts(carol.readAll(sid)).contains(blocked));
        screenshot(alice, "key-change-warning");
        alice.click(".accept-identity[data-user='" + carol.userId() + "']");
        await().atMost(LIVE).until(() -> stateOf(alice, blocked).equals("stored"));
        await().atMost(LIVE).until(() -> texts(carol.readAll(sid)).contains(blocked));
        assertTrue(alice.find("#send").isEnabled());
        awaitText(bob, blocked);

        // Alice removes bob (and rotates): bob's browser gets nothing new.
        alice.click("#members-panel summary");
        alice.click("#members li[data-user='" + bobId + "'] .remove");
        await().atMost(LIVE).until(() -> alice.all("#members li[data-user='" + bobId + "']").isEmpty());
        await().atMost(LIVE).until(() -> !bob.find("#send").isEnabled());
        String afterRemoval = canary("after bob was removed");
        say(alice, afterRemoval);
        await().atMost(LIVE).until(() -> stateOf(alice, afterRemoval).equals("stored"));
        await().atMost(LIVE).until(() -> texts(carol.readAll(sid)).contains(afterRemoval));
        await().pollInSameThread().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> !shownTexts(bob).contains(afterRemoval));

        // Bob deletes his account; his messages keep his name in alice's (reloaded) view.
        bob.click("#conversation .back");
        bob.click(".topbar details summary");
        bob.type("#delete-password", PASSWORD);
        bob.click("#delete-confirm");
        bob.driver.switchTo().alert().accept();
        await().atMost(LIVE).ignoreExceptions().until(() -> bob.find("#auth-error").getText().contains("deleted"));
        alice.driver.navigate().refresh();
        alice.type("#login-username", aliceName);
        alice.type("#login-password", PASSWORD);
        alice.click("#login");
        alice.click("#sessions button[data-session='" + sid + "']");
        awaitText(alice, afterRemoval);
        // the SDK's send during the restart was stored at once; alice's waited in her page for the socket
        List<String> everything = List.of(hello, reply, fromSdk, whileAway, sdkDuringRestart, duringRestart, blocked,
                afterRemoval);
        assertEquals(everything, shownTexts(alice), "scrollback after a reload: every message once, in order");
        assertContiguous(alice);
        String bobsMeta = eventually(() -> (String) alice.driver.executeScript("return [...document.querySelectorAll('#messages .message')]"
                + ".find(m => m.querySelector('.text').textContent === arguments[0]).querySelector('.meta').textContent", reply));
        assertTrue(bobsMeta.startsWith("Bob Builder"), bobsMeta);
        assertEquals(everything, texts(carol.readAll(sid)), "the SDK reads what the browsers sent");

        checkTheServedPage();
        assertNoPlaintextOnTheServers();
        // the browsers' own lines about the socket the killed gateway dropped are the only errors allowed
        for (Browser b : List.of(alice, bob)) {
            b.assertNoConsoleErrors(line -> line.contains("WebSocket connection to") && line.contains("/ws"));
        }
        Files.writeString(OUT.resolve("run-time.txt"), String.format("%.1f s%n", (System.nanoTime() - started) / 1e9));
    }

    // ---------------------------------------------------------------- the page as served

    /** The page's headers, its CORS on the services, and its size: every asset served is the module's file. */
    private void checkTheServedPage() throws IOException, InterruptedException {
        HttpResponse<String> index = http.send(HttpRequest.newBuilder(URI.create(page)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, index.statusCode());
        String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self';") && !csp.contains("unsafe"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        assertTrue(csp.contains("connect-src 'self' " + endpoints.userService() + " " + endpoints.sessionService() + " "
                + endpoints.messageService() + ";"), csp);
        assertEquals("nosniff", index.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("no-referrer", index.headers().firstValue("Referrer-Policy").orElseThrow());
        assertFalse(index.body().contains("<script>"), "no inline script");

        String origin = page.substring(0, page.length() - 1);
        for (URI service : List.of(endpoints.userService(), endpoints.sessionService(), endpoints.messageService())) {
            assertEquals(origin, preflight(service, origin).headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            HttpResponse<String> foreign = preflight(service, "http://elsewhere.example");
            assertNotEquals("http://elsewhere.example", foreign.headers().firstValue("Access-Control-Allow-Origin")
                    .orElse(null), service + " allows a foreign origin");
        }

        Path files = ROOT.resolve("web-client/src/main/resources/META-INF/resources");
        long js = 0;
        long css = 0;
        List<String> lines = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(files)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                String path = "/" + files.relativize(file).toString().replace('\\', '/');
                HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(URI.create(origin + path)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, served.statusCode(), path);
                assertArrayEquals(Files.readAllBytes(file), served.body(), path + " is served as it is in the module");
                assertTrue(served.headers().firstValue("Content-Security-Policy").isPresent(), path);
                js += path.endsWith(".js") ? served.body().length : 0;
                css += path.endsWith(".css") ? served.body().length : 0;
                lines.add(served.body().length + " " + path);
            }
        }
        lines.add("JS " + js + " bytes, CSS " + css + " bytes, total " + (js + css));
        Files.write(OUT.resolve("page-size.txt"), lines);
    }

    private HttpResponse<String> preflight(URI service, String origin) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(service.resolve("/v1/sessions")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void assertNoPlaintextOnTheServers() throws IOException {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < plaintexts.size(); i++) {
            String text = plaintexts.get(i);
            secrets.put("plaintext " + i, text);
            secrets.put("canary " + i, text.substring(text.indexOf("CANARY-")));
        }
        String mongo = SecretAudit.mongoDump(stack.mongoUrl());
        String topics = SecretAudit.topicDump(stack.kafkaBootstrapServers());
        assertTrue(mongo.contains("\"ciphertext\""), "the dump holds the stored messages at all");
        assertTrue(topics.contains("MessageStored"), "the topics hold message events at all");
        Map<String, String> stores = new LinkedHashMap<>();
        stores.put("MongoDB", mongo);
        stores.put("Kafka topics", topics);
        try (Stream<Path> logs = Files.list(OUT.resolve("logs"))) {
            for (Path log : logs.collect(Collectors.toList())) {
                stores.put(log.getFileName().toString(), Files.readString(log));
            }
        }
        assertTrue(stores.keySet().containsAll(List.of("gateway.log", "user-service.log", "session-service.log",
                "message-service.log")), stores.keySet().toString());
        assertEquals(List.of(), SecretAudit.leaks(secrets, stores));
    }

    // ---------------------------------------------------------------- page helpers

    private static Browser browser(String name, int width, int height) throws IOException {
        Path profile = OUT.resolve("profiles/" + name + "-" + UUID.randomUUID());
        Browser b = Browser.start(profile, width, height);
        browsers.add(b);
        b.open(page);
        return b;
    }

    private static void register(Browser b, String username, String displayName) {
        b.type("#reg-username", username);
        b.type("#reg-display", displayName);
        b.type("#reg-password", PASSWORD);
        b.click("#register");
        b.await("#me");
        await().atMost(LIVE).until(() -> "connected".equals(b.find("#status").getText()));
    }

    /** Types into the composer and sends with the keyboard (Enter). */
    private static void say(Browser b, String text) {
        b.await("#text").sendKeys(text, Keys.ENTER);
    }

    private static void awaitText(Browser b, String text) {
        await().atMost(LIVE).pollInSameThread().until(() -> shownTexts(b).contains(text));
    }

    /** [seq, state, text] of every message shown, top to bottom. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> shown(Browser b) {
        Object rows = b.driver.executeScript("return [...document.querySelectorAll('#messages .message')].map(m =>"
                + " [m.dataset.seq || '', m.dataset.state, m.querySelector('.text').textContent])");
        return (List<List<String>>) rows;
    }

    private static List<String> shownTexts(Browser b) {
        return shown(b).stream().map(r -> r.get(2)).collect(Collectors.toList());
    }

    private static String stateOf(Browser b, String text) {
        return shown(b).stream().filter(r -> r.get(2).equals(text)).map(r -> r.get(1)).findFirst().orElse("absent");
    }

    /** The stored messages shown are seqs 1..n, each once: no gap, no duplicate. */
    private static void assertContiguous(Browser b) {
        List<Long> seqs = shown(b).stream().filter(r -> !r.get(0).isEmpty()).map(r -> Long.parseLong(r.get(0)))
                .collect(Collectors.toList());
        assertEquals(LongStream.rangeClosed(1, seqs.size()).boxed().collect(Collectors.toList()), seqs);
    }

    private static <T> T eventually(Callable<T> value) {
        List<T> holder = new ArrayList<>();
        await().atMost(LIVE).pollInSameThread().ignoreExceptions().until(() -> {
            T v = value.call();
            holder.clear();
            holder.add(v);
            return v != null;
        });
        return holder.get(0);
    }

    private static void screenshot(Browser b, String name) throws IOException {
        Files.write(OUT.resolve("screenshots/" + name + ".png"), b.screenshot());
    }

    private static List<String> texts(List<ReceivedMessage> messages) {
        return messages.stream().map(ReceivedMessage::text).collect(Collectors.toList());
    }
}
