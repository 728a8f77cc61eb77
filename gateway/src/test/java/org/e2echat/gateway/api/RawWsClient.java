package org.e2echat.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A WebSocket client on a bare TCP socket: it performs the upgrade, reads the {@code hello} frame
 * and then reads nothing more unless told to, like a peer that stopped reading. Its receive buffer
 * is small, so the server's writes back up soon.
 */
final class RawWsClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final DataInputStream in;

    private RawWsClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects to {@code ws} with {@code Authorization: Bearer token} and completes the upgrade. */
    static RawWsClient upgrade(URI ws, String token) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(8 * 1024);
        socket.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), 10_000);
        socket.setSoTimeout(20_000);
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + ws.getPath() + " HTTP/1.1\r\nHost: " + ws.getHost() + ":" + ws.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Protocol: chat.v1\r\nAuthorization: Bearer "
                + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        RawWsClient client = new RawWsClient(socket);
        String status = client.responseHead().split("\r\n", 2)[0];
        if (!status.contains(" 101 ")) {
            socket.close();
            throw new IOException("upgrade refused: " + status);
        }
        return client;
    }

    private String responseHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Reads one (unfragmented, unmasked) text frame: the first one is the server's hello. */
    JsonNode readFrame() throws IOException {
        in.readUnsignedByte();
        int length = in.readUnsignedByte() & 0x7f;
        long size = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
        byte[] payload = new byte[(int) size];
        in.readFully(payload);
        return JSON.readTree(payload);
    }

    /**
     * Starts reading again and reads until the connection ends or {@code limit} bytes came:
     * {@code "reset after N bytes"}, {@code "end after N bytes"} or {@code "open after N bytes"}.
     */
    String readOnUntilEnd(int limit) throws IOException {
        byte[] buffer = new byte[8192];
        int total = 0;
        try {
            while (total < limit) {
                int n = in.read(buffer);
                if (n < 0) {
                    return "end after " + total + " bytes";
                }
                total += n;
            }
            return "open after " + total + " bytes";
        } catch (SocketException e) {
            return "reset after " + total + " bytes";
        }
    }

    /**
     * The server's end of this connection as the kernel lists it ({@code /proc/net/tcp} lines
     * whose local port is the server's and remote port this client's), with its state and send
     * queue; empty once the server's socket is gone. Linux only.
     */
    List<String> serverEndInKernel() throws IOException {
        List<String> found = new ArrayList<>();
        String local = String.format(Locale.ROOT, ":%04X", socket.getPort());
        String remote = String.format(Locale.ROOT, ":%04X", socket.getLocalPort());
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                    found.add("state=" + f[3] + " tx:rx=" + f[4]);
                }
            }
        }
        return found;
    }

    static boolean kernelTablesReadable() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
