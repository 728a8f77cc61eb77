package org.e2echat.client.sdk;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal WebSocket server standing in for the gateway (RFC 6455, one client): accepts the
 * upgrade, says {@code hello}, pushes the text frames a test gives it and answers the client's
 * close. Nothing else of the gateway.
 */
public final class StubGateway implements AutoCloseable {

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final CompletableFuture<OutputStream> client = new CompletableFuture<>();
    private volatile Socket socket;

    public StubGateway(String userId) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> serve(userId), "stub-gateway");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Sends one text frame to the connected client. */
    public void sendText(String text) throws Exception {
        write(client.get(10, TimeUnit.SECONDS), 0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    private void serve(String userId) {
        try {
            Socket s = server.accept();
            socket = s;
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            String key = null;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\nSec-WebSocket-Protocol: chat.v1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            write(out, 0x1, ("{\"type\":\"hello\",\"userId\":\"" + userId + "\",\"connectionId\":\"c1\","
                    + "\"heartbeatSeconds\":20}").getBytes(StandardCharsets.UTF_8));
            client.complete(out);
            readFrames(new DataInputStream(in), out);
        } catch (IOException | NoSuchAlgorithmException e) {
            client.completeExceptionally(e);
        }
    }

    /** Reads the client's frames; answers a ping with a pong and a close with a close. */
    private void readFrames(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            if ((second & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            int opcode = first & 0x0f;
            if (opcode == 0x8) {
                write(out, 0x8, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]);
                socket.close();
                return;
            }
            if (opcode == 0x9) {
                write(out, 0xA, payload);
            }
        }
    }

    private static synchronized void write(OutputStream out, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length < 65_536) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed during the handshake");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
