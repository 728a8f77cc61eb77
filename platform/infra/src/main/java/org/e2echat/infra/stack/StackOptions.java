package org.e2echat.infra.stack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The local stack's command-line options. */
record StackOptions(Path root, Path logDir, Path dataDir, boolean infraOnly, boolean jsonLogs, boolean help,
        int mongoPort, int kafkaPort, Map<String, Integer> servicePorts) {

    static final String USAGE = """
            usage: deploy/local/run.sh [options]
              --infra-only            start only the MongoDB-wire server and Kafka broker (for quarkus:dev)
              --data-dir DIR          file-backed store: keep MongoDB data and the Kafka log in DIR
              --mongo-port N          MongoDB-wire server port (default 27017)
              --kafka-port N          Kafka broker port (default 9092)
              --user-service-port N   (default 8081)
              --session-service-port N (default 8082)
              --message-service-port N (default 8083)
              --gateway-port N        (default 8080)
              --log-dir DIR           where process logs go (default target/local-stack/logs)
              --json-logs             services log JSON lines
              --rebuild / --no-build  (run.sh only) force or skip the Maven build
              -h, --help              this help""";

    static StackOptions parse(String[] args) {
        Path root = Path.of(System.getProperty("e2echat.root", ".")).toAbsolutePath().normalize();
        Path logDir = null;
        Path dataDir = null;
        boolean infraOnly = false;
        boolean jsonLogs = false;
        boolean help = false;
        int mongoPort = 27017;
        int kafkaPort = 9092;
        Map<String, Integer> ports = new LinkedHashMap<>();
        ServiceSpec.ALL.forEach(s -> ports.put(s.name(), s.defaultPort()));
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--root" -> root = Path.of(value(args, ++i, arg)).toAbsolutePath().normalize();
                case "--log-dir" -> logDir = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "--infra-only" -> infraOnly = true;
                case "--json-logs" -> jsonLogs = true;
                case "-h", "--help" -> help = true;
                case "--mongo-port" -> mongoPort = port(value(args, ++i, arg), arg);
                case "--kafka-port" -> kafkaPort = port(value(args, ++i, arg), arg);
                default -> {
                    ServiceSpec spec = ServiceSpec.ALL.stream().filter(s -> s.portOption().equals(arg)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("unknown option " + arg));
                    ports.put(spec.name(), port(value(args, ++i, arg), arg));
                }
            }
        }
        if (logDir == null) {
            logDir = root.resolve("target/local-stack/logs");
        }
        return new StackOptions(root, logDir, dataDir, infraOnly, jsonLogs, help, mongoPort, kafkaPort, ports);
    }

    int portOf(ServiceSpec spec) {
        return servicePorts.get(spec.name());
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String value, String option) {
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a port between 1 and 65535, got '" + value + "'");
        }
    }
}
