package org.e2echat.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.e2echat.infra.stack.ServiceProcess;

/** The {@link BareBroadcastServer} as a process of its own, with the same heap ceiling as the gateway. */
public final class Baseline implements AutoCloseable {

    private final Process process;
    private final int port;

    private Baseline(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static Baseline start(String heap, Path log) throws IOException {
        Process p = new ProcessBuilder(ServiceProcess.javaBinary(), "-Xmx" + heap, "-cp",
                System.getProperty("java.class.path"), BareBroadcastServer.class.getName(), "0")
                .redirectError(log.toFile()).start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null || !line.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IOException("the baseline server did not start (see " + log + "): " + line);
        }
        return new Baseline(p, Integer.parseInt(line.substring(6).trim()));
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
