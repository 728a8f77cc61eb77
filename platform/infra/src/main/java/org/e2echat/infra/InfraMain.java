package org.e2echat.infra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the infrastructure as its own process for the local stack. Prints one {@code READY} line
 * when both servers accept connections, and stops on SIGINT/SIGTERM or when its standard input
 * closes (so it never outlives the launcher that started it).
 */
public final class InfraMain {

    /** The line the launcher waits for: {@code READY mongodb=<url> kafka=<host:port> storage=<where>}. */
    public static final String READY = "READY";

    private InfraMain() {
    }

    public static void main(String[] args) throws Exception {
        int mongoPort = 27017;
        int kafkaPort = 9092;
        Path dataDir = null;
        boolean watchStdin = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mongo-port" -> mongoPort = Integer.parseInt(args[++i]);
                case "--kafka-port" -> kafkaPort = Integer.parseInt(args[++i]);
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "--exit-on-stdin-close" -> watchStdin = true;
                default -> {
                    System.err.println("unknown option " + args[i]
                            + "; usage: [--mongo-port N] [--kafka-port N] [--data-dir DIR] [--exit-on-stdin-close]");
                    System.exit(2);
                }
            }
        }
        Logger.getLogger("").setLevel(Level.WARNING);
        LocalInfra infra;
        try {
            infra = LocalInfra.start(new LocalInfra.Options(mongoPort, kafkaPort, dataDir));
        } catch (RuntimeException e) {
            System.err.println("infra failed to start: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            infra.close();
            stopped.countDown();
        }, "infra-stop"));
        System.out.printf("%s mongodb=%s kafka=%s storage=%s%n", READY,
                infra.mongo().connectionString(), infra.kafka().bootstrapServers(), infra.mongo().storage());
        System.out.flush();
        if (watchStdin) {
            drain(System.in);
            System.exit(0);
        }
        stopped.await();
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the launcher never writes; end of stream means it has gone
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of stream
        }
    }
}
