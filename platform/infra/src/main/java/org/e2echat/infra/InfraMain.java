package org.e2echat.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
    /** Commands the launcher may write, one per line, to the standard input of {@code --exit-on-stdin-close}. */
    public static final String COMMAND_KAFKA_STOP = "kafka stop";
    public static final String COMMAND_KAFKA_START = "kafka start";

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
            obey(System.in, infra);
            System.exit(0);
        }
        stopped.await();
    }

    /**
     * Reads commands from the launcher until its pipe closes: {@code kafka stop} and
     * {@code kafka start} take the broker down and bring it back (same port and log) while the
     * MongoDB-wire server keeps running, for broker-outage tests.
     */
    private static void obey(InputStream in, LocalInfra infra) {
        try (BufferedReader commands = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = commands.readLine()) != null) {
                switch (line.trim()) {
                    case COMMAND_KAFKA_STOP -> infra.kafka().stopBroker();
                    case COMMAND_KAFKA_START -> infra.kafka().startBroker();
                    default -> System.err.println("unknown command: " + line.trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // a broken pipe means the same as end of stream
        }
    }
}
