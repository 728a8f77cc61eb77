package org.e2echat.infra.stack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to run the local stack: parsed from {@code deploy/local/run.sh}'s options, or built by a
 * test from {@link #defaults(Path)} with the {@code with...} methods.
 *
 * @param dataDir where the file-backed store lives, or {@code null} to keep everything in memory
 * @param mongoPort the MongoDB-wire port; 0 for a free one (kept across infra restarts)
 * @param kafkaPort the Kafka port; 0 for a free one (kept across infra restarts)
 * @param servicePorts each service's published port by name; 0 for a free one
 * @param replicas how many processes run each service behind its published port
 */
public record StackOptions(Path root, Path logDir, Path dataDir, boolean infraOnly, boolean jsonLogs, boolean help,
        int mongoPort, int kafkaPort, Map<String, Integer> servicePorts, int replicas, Tuning tuning) {

    /**
     * What a benchmark changes beyond {@code run.sh}'s options: the user-service signing key (so
     * that it can mint tokens the services accept; {@code null}: a new one from the operators'
     * generator), extra JVM options for every service process (e.g. a JFR recording) and the
     * infrastructure process's maximum heap (the in-memory store keeps every document in it).
     */
    public record Tuning(String signingJwk, java.util.List<String> serviceJvmArgs, String infraHeap) {
        public static final Tuning NONE = new Tuning(null, java.util.List.of(), InfraProcess.DEFAULT_HEAP);

        public Tuning {
            serviceJvmArgs = java.util.List.copyOf(serviceJvmArgs);
        }
    }

    static final int MAX_REPLICAS = 8;

    static final String USAGE = """
            usage: deploy/local/run.sh [options]
              --infra-only            start only the MongoDB-wire server and Kafka broker (for quarkus:dev)
              --data-dir DIR          file-backed store: keep MongoDB data and the Kafka log in DIR
              --replicas N            run N processes of each service (default 1, at most 8) behind its
                                      port, which balances connections round-robin over the live ones
              --mongo-port N          MongoDB-wire server port (default 27017)
              --kafka-port N          Kafka broker port (default 9092)
              --user-service-port N   (default 8081)
              --session-service-port N (default 8082)
              --message-service-port N (default 8083)
              --gateway-port N        (default 8080)
                                      (a port of 0 means any free port)
              --log-dir DIR           where process logs go (default target/local-stack/logs)
              --json-logs             services log JSON lines
              --rebuild / --no-build  (run.sh only) force or skip the Maven build
              -h, --help              this help

            A process that exits is started again after 1 s, then 2, 4 ... up to 30 s while it keeps
            crashing; the stack itself keeps running until Ctrl-C.""";

    public StackOptions {
        if (replicas < 1 || replicas > MAX_REPLICAS) {
            throw new IllegalArgumentException("--replicas needs a number from 1 to " + MAX_REPLICAS + ", got " + replicas);
        }
        servicePorts = Map.copyOf(servicePorts);
        tuning = tuning == null ? Tuning.NONE : tuning;
    }

    /** What {@code run.sh} without options does, for the repository at {@code root}. */
    public static StackOptions defaults(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        Map<String, Integer> ports = new LinkedHashMap<>();
        ServiceSpec.ALL.forEach(s -> ports.put(s.name(), s.defaultPort()));
        return new StackOptions(absolute, absolute.resolve("target/local-stack/logs"), null, false, false, false,
                27017, 9092, ports, 1, Tuning.NONE);
    }

    static StackOptions parse(String[] args) {
        StackOptions options = defaults(Path.of(System.getProperty("e2echat.root", ".")));
        Path logDir = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--root" -> options = options.withRoot(Path.of(value(args, ++i, arg)));
                case "--log-dir" -> logDir = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "--data-dir" -> options = options.withDataDir(Path.of(value(args, ++i, arg)));
                case "--infra-only" -> options = options.withInfraOnly(true);
                case "--json-logs" -> options = options.withJsonLogs(true);
                case "-h", "--help" -> options = new StackOptions(options.root, options.logDir, options.dataDir,
                        options.infraOnly, options.jsonLogs, true, options.mongoPort, options.kafkaPort,
                        options.servicePorts, options.replicas, options.tuning);
                case "--replicas" -> options = options.withReplicas(number(value(args, ++i, arg), arg));
                case "--mongo-port" -> options = options.withInfraPorts(port(value(args, ++i, arg), arg),
                        options.kafkaPort);
                case "--kafka-port" -> options = options.withInfraPorts(options.mongoPort,
                        port(value(args, ++i, arg), arg));
                default -> {
                    ServiceSpec spec = ServiceSpec.ALL.stream().filter(s -> s.portOption().equals(arg)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("unknown option " + arg));
                    options = options.withPort(spec, port(value(args, ++i, arg), arg));
                }
            }
        }
        return logDir == null ? options : options.withLogDir(logDir);
    }

    /** Another repository root; the log directory follows it unless set explicitly afterwards. */
    public StackOptions withRoot(Path newRoot) {
        Path absolute = newRoot.toAbsolutePath().normalize();
        return new StackOptions(absolute, absolute.resolve("target/local-stack/logs"), dataDir, infraOnly, jsonLogs,
                help, mongoPort, kafkaPort, servicePorts, replicas, tuning);
    }

    public StackOptions withLogDir(Path dir) {
        return new StackOptions(root, dir.toAbsolutePath(), dataDir, infraOnly, jsonLogs, help, mongoPort, kafkaPort,
                servicePorts, replicas, tuning);
    }

    /** A file-backed store in {@code dir}; {@code null} for memory. */
    public StackOptions withDataDir(Path dir) {
        return new StackOptions(root, logDir, dir == null ? null : dir.toAbsolutePath(), infraOnly, jsonLogs, help,
                mongoPort, kafkaPort, servicePorts, replicas, tuning);
    }

    public StackOptions withInfraOnly(boolean only) {
        return new StackOptions(root, logDir, dataDir, only, jsonLogs, help, mongoPort, kafkaPort, servicePorts,
                replicas, tuning);
    }

    public StackOptions withJsonLogs(boolean json) {
        return new StackOptions(root, logDir, dataDir, infraOnly, json, help, mongoPort, kafkaPort, servicePorts,
                replicas, tuning);
    }

    public StackOptions withReplicas(int n) {
        return new StackOptions(root, logDir, dataDir, infraOnly, jsonLogs, help, mongoPort, kafkaPort, servicePorts,
                n, tuning);
    }

    public StackOptions withInfraPorts(int mongo, int kafka) {
        return new StackOptions(root, logDir, dataDir, infraOnly, jsonLogs, help, mongo, kafka, servicePorts,
                replicas, tuning);
    }

    public StackOptions withPort(ServiceSpec spec, int port) {
        Map<String, Integer> ports = new LinkedHashMap<>(servicePorts);
        ports.put(spec.name(), port);
        return new StackOptions(root, logDir, dataDir, infraOnly, jsonLogs, help, mongoPort, kafkaPort, ports,
                replicas, tuning);
    }

    /** Every port 0: nothing collides with another stack or a developer's own on this machine. */
    public StackOptions withFreePorts() {
        StackOptions options = withInfraPorts(0, 0);
        for (ServiceSpec spec : ServiceSpec.ALL) {
            options = options.withPort(spec, 0);
        }
        return options;
    }

    public StackOptions withTuning(Tuning t) {
        return new StackOptions(root, logDir, dataDir, infraOnly, jsonLogs, help, mongoPort, kafkaPort, servicePorts,
                replicas, t);
    }

    /** The published port asked for (0 = a free one); {@link LocalStack#publishedPort} has the bound one. */
    public int portOf(ServiceSpec spec) {
        return servicePorts.get(spec.name());
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int number(String value, String option) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + value + "'");
        }
    }

    private static int port(String value, String option) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a port between 0 and 65535, got '" + value + "'");
        }
    }
}
