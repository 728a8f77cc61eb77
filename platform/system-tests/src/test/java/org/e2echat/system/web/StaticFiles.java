package org.e2echat.system.web;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The web client's files exactly as the gateway serves them (from the web-client jar's
 * META-INF/resources on the classpath) plus this module's test scripts under {@code /test/},
 * on a loopback port: a secure context for WebCrypto without the rest of the system.
 */
final class StaticFiles implements AutoCloseable {

    private static final Map<String, String> TYPES = Map.of("js", "text/javascript", "css", "text/css",
            "html", "text/html", "json", "application/json");

    private final HttpServer server;

    private StaticFiles(HttpServer server) {
        this.server = server;
    }

    static StaticFiles start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String resource = path.equals("/") ? null
                    : path.startsWith("/test/") ? "web/" + path.substring("/test/".length())
                    : "META-INF/resources" + path;
            byte[] body;
            if (resource == null) {
                body = "<!DOCTYPE html><link rel=\"icon\" href=\"data:,\"><title>vectors</title><p>vectors</p>".getBytes(StandardCharsets.UTF_8);
            } else {
                try (InputStream in = resource.contains("..") ? null
                        : StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
                    body = in == null ? null : in.readAllBytes();
                }
            }
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            String ext = path.equals("/") ? "html" : path.substring(path.lastIndexOf('.') + 1);
            exchange.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return new StaticFiles(server);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
