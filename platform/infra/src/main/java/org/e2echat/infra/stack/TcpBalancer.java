package org.e2echat.infra.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A round-robin TCP load balancer on one published port, standing in for a Kubernetes Service in
 * front of a service's replicas: each accepted connection is piped, byte for byte, to the next
 * replica that accepts it, skipping replicas that refuse. Being a byte pipe, it carries HTTP
 * keep-alive and WebSocket alike; a connection stays on its replica until either side closes it.
 *
 * <p>Blocking sockets, two small threads per connection (one per direction): simple, and enough
 * for the few hundred connections a local stack sees. A benchmark that needs thousands of
 * sockets should connect to the replicas' own ports.
 */
final class TcpBalancer implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final int BACKLOG = 512;
    private static final long THREAD_STACK_BYTES = 256 * 1024;
    private static final int BUFFER_BYTES = 16 * 1024;

    private final String name;
    private final ServerSocket server;
    private final Supplier<List<Integer>> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TcpBalancer(String name, ServerSocket server, Supplier<List<Integer>> backends) {
        this.name = name;
        this.server = server;
        this.backends = backends;
    }

    /**
     * Listens on {@code port} (0 for a free one) on every interface, as the services themselves
     * did before they had replicas.
     *
     * @param backends the loopback ports to choose from, asked again for every connection, in a
     *     stable order (round-robin walks it)
     */
    static TcpBalancer start(String name, int port, Supplier<List<Integer>> backends) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        TcpBalancer balancer = new TcpBalancer(name, server, backends);
        thread(name + "-accept", balancer::acceptLoop).start();
        return balancer;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // e.g. out of file descriptors for a moment: the listener itself is fine, don't spin
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            open.add(client);
            thread(name + "-in", () -> serve(client)).start();
        }
    }

    /** Connects {@code client} to a backend, then pipes client to backend on this thread. */
    private void serve(Socket client) {
        Socket backend = dial();
        if (backend == null || closed) {
            close(client, backend);
            return;
        }
        open.add(backend);
        AtomicInteger directions = new AtomicInteger(2);
        try {
            client.setTcpNoDelay(true);
            backend.setTcpNoDelay(true);
        } catch (IOException e) {
            close(client, backend);
            return;
        }
        thread(name + "-out", () -> pipe(backend, client, directions)).start();
        pipe(client, backend, directions);
    }

    /** The next backend in round-robin order that accepts a connection, or {@code null} if none does. */
    private Socket dial() {
        List<Integer> ports = backends.get();
        if (ports.isEmpty()) {
            return null;
        }
        int first = Math.floorMod(next.getAndIncrement(), ports.size());
        for (int i = 0; i < ports.size(); i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        ports.get((first + i) % ports.size())), CONNECT_TIMEOUT_MS);
                return socket;
            } catch (IOException refused) {
                close(socket);
            }
        }
        return null;
    }

    /**
     * Copies until {@code from} ends, then half-closes {@code to} so the other side sees the end
     * too while the opposite direction keeps flowing; on an error, or once the balancer is
     * closing, both sockets close. The last of the two directions to finish closes both.
     */
    private void pipe(Socket from, Socket to, AtomicInteger directions) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0 && !closed) {
                out.write(buffer, 0, n);
            }
            if (closed) {
                // a read that ends because close() closed the socket under it may look like an
                // ordinary end of stream: never half-close (the backend would answer its goodbye
                // and this pipe would carry it) nor forward anything once cutting has begun
                close(from, to);
            } else {
                to.shutdownOutput();
            }
        } catch (IOException e) {
            close(from, to);
        }
        if (directions.decrementAndGet() == 0) {
            close(from, to);
        }
    }

    private void close(Socket... sockets) {
        for (Socket socket : sockets) {
            if (socket != null) {
                open.remove(socket);
                try {
                    socket.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }
    }

    /** Stops listening and cuts every open connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing left to release
        }
        open.forEach(this::close);
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(null, body, name, THREAD_STACK_BYTES);
        thread.setDaemon(true);
        return thread;
    }
}
