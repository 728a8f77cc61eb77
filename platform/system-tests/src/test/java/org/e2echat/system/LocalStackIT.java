package org.e2echat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.e2echat.infra.FreePorts;
import org.e2echat.infra.stack.LocalStack;
import org.e2echat.infra.stack.ServiceSpec;
import org.e2echat.testsupport.TestIdentity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the README's local stack command against the packaged services: everything becomes ready,
 * and Ctrl-C (SIGINT) or SIGTERM stops every process it started and frees every port.
 */
class LocalStackIT {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);

    private final Path root = Path.of(System.getProperty("e2echat.root", "../..")).toAbsolutePath().normalize();
    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void startsEveryServiceUntilReadyAndStopsCleanlyOnSignal(String signal) throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("--mongo-port", FreePorts.find());
        ports.put("--kafka-port", FreePorts.find());
        ServiceSpec.ALL.forEach(s -> ports.put(s.portOption(), FreePorts.find()));
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("deploy/local/run.sh").toString(),
                "--no-build", "--log-dir", root.resolve("platform/system-tests/target/stack-" + signal).toString()));
        ports.forEach((option, port) -> {
            command.add(option);
            command.add(String.valueOf(port));
        });
        Process stack = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> collect(stack, output), "stack-output");
        reader.start();
        try {
            awaitBanner(stack, output);

            for (ServiceSpec spec : ServiceSpec.ALL) {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ports.get(spec.portOption()) + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ready.statusCode(), spec.name() + " not ready: " + ready.body());
                assertTrue(ready.body().contains("\"UP\""), spec.name() + ": " + ready.body());
            }
            String token = registersAndLogsInThroughThePackagedUserService(ports.get("--user-service-port"), signal);
            SocketProbe socket = SocketProbe.open(ports.get(ServiceSpec.ALL.get(3).portOption()), token);
            assertTrue(socket.hello.get(30, TimeUnit.SECONDS).contains("\"type\":\"hello\""),
                    "the gateway accepted a token issued by the packaged user-service");

            List<ProcessHandle> children = stack.toHandle().descendants().toList();
            assertEquals(ServiceSpec.ALL.size() + 1, children.size(),
                    "expected the infra process and one process per service, got " + children);

            new ProcessBuilder("kill", "-" + signal, String.valueOf(stack.pid())).start().waitFor();

            assertTrue(stack.waitFor(90, TimeUnit.SECONDS), "the stack did not stop on SIG" + signal);
            assertEquals(1001, socket.closed.get(10, TimeUnit.SECONDS), "open sockets are told to go away");
            reader.join(5_000);
            assertTrue(output.contains("[stack] stopped"), "no stop message in:\n" + String.join("\n", output));
            for (ProcessHandle child : children) {
                assertFalse(child.isAlive(), "left running: " + child.info().commandLine().orElse("?"));
            }
            ports.forEach((option, port) -> assertTrue(FreePorts.isFree(port), option + " " + port + " still bound"));
        } finally {
            stack.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    /** A WebSocket client that records the first frame and the close code. */
    static final class SocketProbe implements java.net.http.WebSocket.Listener {
        final java.util.concurrent.CompletableFuture<String> hello = new java.util.concurrent.CompletableFuture<>();
        final java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();

        static SocketProbe open(int port, String token) {
            SocketProbe probe = new SocketProbe();
            HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .subprotocols("chat.v1").buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), probe)
                    .orTimeout(30, TimeUnit.SECONDS).join();
            return probe;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data,
                boolean last) {
            hello.complete(data.toString());
            ws.request(1);
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
            closed.complete(code);
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket ws, Throwable error) {
            closed.complete(-1);
        }
    }

    private String registersAndLogsInThroughThePackagedUserService(int port, String suffix) throws Exception {
        TestIdentity identity = TestIdentity.generate();
        String username = "stack-" + suffix.toLowerCase() + "-" + ProcessHandle.current().pid();
        String body = String.format("{\"username\":\"%s\",\"displayName\":\"Stack Test\",\"password\":\"%s\","
                + "\"identity\":{\"suite\":\"%s\",\"signingPublicKey\":\"%s\",\"kemPublicKey\":\"%s\","
                + "\"kemKeySignature\":\"%s\"}}", username, "stack password 123", identity.suite(),
                identity.signingPublicKey(), identity.kemPublicKey(), identity.kemKeySignature());
        HttpResponse<String> registered = post(port, "/v1/users", body);
        assertEquals(201, registered.statusCode(), registered.body());
        assertTrue(registered.body().contains(identity.fingerprint()), registered.body());
        HttpResponse<String> login = post(port, "/v1/auth/login",
                "{\"username\":\"" + username + "\",\"password\":\"stack password 123\"}");
        assertEquals(200, login.statusCode(), login.body());
        assertTrue(login.body().contains("\"accessToken\""), login.body());
        HttpResponse<String> jwks = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/.well-known/jwks.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(jwks.body().contains("\"ES256\""), jwks.body());
        String tokens = login.body();
        int start = tokens.indexOf("\"accessToken\":\"") + 15;
        return tokens.substring(start, tokens.indexOf('"', start));
    }

    private HttpResponse<String> post(int port, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitBanner(Process stack, List<String> output) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (output) {
                if (output.stream().anyMatch(l -> l.startsWith(LocalStack.READY_BANNER))) {
                    return;
                }
            }
            if (!stack.isAlive()) {
                fail("the stack exited with " + stack.exitValue() + ":\n" + String.join("\n", output));
            }
            Thread.sleep(200);
        }
        fail("the stack was not ready within " + READY_TIMEOUT + ":\n" + String.join("\n", output));
    }

    private static void collect(Process process, List<String> output) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
            }
        } catch (IOException e) {
            output.add("(output closed: " + e.getMessage() + ")");
        }
    }
}
