package org.e2echat.infra.stack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.e2echat.infra.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpBalancerTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void pipesBothWaysAndPassesOnAHalfClose() throws Exception {
        EchoServer a = echo("a");
        TcpBalancer balancer = balancer(() -> List.of(a.port()));

        try (Client client = new Client(balancer.port())) {
            assertEquals("a:hello", client.ask("hello"));
            assertEquals("a:" + "x".repeat(100_000), client.ask("x".repeat(100_000)), "a reply larger than a buffer");
            client.socket.shutdownOutput();
            assertEquals("a:bye", client.in.readLine(), "the backend saw the client's end of stream");
            assertNull(client.in.readLine(), "and its own close reached the client");
        }
    }

    @Test
    void spreadsConnectionsRoundRobin() throws Exception {
        EchoServer a = echo("a");
        EchoServer b = echo("b");
        TcpBalancer balancer = balancer(() -> List.of(a.port(), b.port()));

        List<String> served = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (Client client = new Client(balancer.port())) {
                served.add(client.ask("hi"));
            }
        }

        assertEquals(2, served.stream().filter(r -> r.equals("a:hi")).count(), served.toString());
        assertEquals(2, served.stream().filter(r -> r.equals("b:hi")).count(), served.toString());
    }

    @Test
    void skipsABackendThatRefusesConnections() throws Exception {
        int dead = FreePorts.find();
        EchoServer live = echo("live");
        TcpBalancer balancer = balancer(() -> List.of(dead, live.port()));

        for (int i = 0; i < 4; i++) {
            try (Client client = new Client(balancer.port())) {
                assertEquals("live:ping", client.ask("ping"), "connection " + i);
            }
        }
    }

    @Test
    void failsOverWhenTheChosenBackendGoesAway() throws Exception {
        EchoServer a = echo("a");
        EchoServer b = echo("b");
        TcpBalancer balancer = balancer(() -> List.of(a.port(), b.port()));
        Client pinned = new Client(balancer.port());
        resources.add(pinned);
        String first = pinned.ask("who");
        EchoServer chosen = first.startsWith("a:") ? a : b;
        String other = chosen == a ? "b" : "a";

        chosen.close();

        assertNull(pinned.in.readLine(), "the client's connection ends with its backend's");
        for (int i = 0; i < 4; i++) {
            try (Client client = new Client(balancer.port())) {
                assertEquals(other + ":again", client.ask("again"), "connection " + i + " after the failure");
            }
        }
    }

    @Test
    void closingCutsOpenConnectionsAndReleasesThePort() throws Exception {
        EchoServer a = echo("a");
        TcpBalancer balancer = TcpBalancer.start("test", 0, () -> List.of(a.port()));
        Client client = new Client(balancer.port());
        resources.add(client);
        assertEquals("a:hi", client.ask("hi"));

        balancer.close();

        assertNull(client.in.readLine(), "open connection cut");
        await().atMost(Duration.ofSeconds(10)).until(() -> FreePorts.isFree(balancer.port()));
    }

    @Test
    void carriesManyConcurrentConnections() throws Exception {
        EchoServer a = echo("a");
        EchoServer b = echo("b");
        TcpBalancer balancer = balancer(() -> List.of(a.port(), b.port()));

        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                clients.add(new Client(balancer.port()));
            }
            Set<String> replies = new TreeSet<>();
            for (int i = 0; i < clients.size(); i++) {
                String reply = clients.get(i).ask("n" + i);
                assertTrue(reply.endsWith(":n" + i), reply);
                replies.add(reply.substring(0, 1));
            }
            assertEquals(Set.of("a", "b"), replies);
        } finally {
            for (Client client : clients) {
                client.close();
            }
        }
    }

    private TcpBalancer balancer(Supplier<List<Integer>> backends) throws IOException {
        TcpBalancer balancer = TcpBalancer.start("test", 0, backends);
        resources.add(balancer);
        return balancer;
    }

    private EchoServer echo(String name) throws IOException {
        EchoServer server = new EchoServer(name);
        resources.add(server);
        return server;
    }

    /** Answers each line with {@code <name>:<line>}, and {@code <name>:bye} at the client's end of stream. */
    private static final class EchoServer implements AutoCloseable {
        private final String name;
        private final ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();

        EchoServer(String name) throws IOException {
            this.name = name;
            Thread acceptor = new Thread(this::accept, "echo-" + name);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    Thread worker = new Thread(() -> serve(socket), "echo-" + name + "-conn");
                    worker.setDaemon(true);
                    worker.start();
                }
            } catch (IOException closed) {
                // the test closed this server
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = socket.getOutputStream();
                String line;
                while ((line = in.readLine()) != null) {
                    out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                }
                out.write((name + ":bye\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // cut by the test
            }
        }

        /** Stops listening and drops every connection, as a crashed process would. */
        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    /** A line-based client through the balancer. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        String ask(String line) {
            try {
                socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                return in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
