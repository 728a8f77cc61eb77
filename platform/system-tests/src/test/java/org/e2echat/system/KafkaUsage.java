package org.e2echat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.e2echat.contracts.Topic;

/**
 * What a service's code does with Kafka, read from its main sources: the topic each outbox
 * publisher ({@code OutboxPublisher}) publishes, and each {@code TopicConsumer}'s group, topics and
 * failure handling (a dead-lettering consumer also writes {@code chat.dead-letters}); plus the
 * consumers service-common runs in every service (groups named {@code service + "-suffix-" + ...}). A Kafka client
 * built any other way fails the reading, so nothing the code does with Kafka goes unseen.
 */
record KafkaUsage(Set<String> produced, Set<String> consumed, Set<String> groups, Set<String> groupPrefixes) {

    private static final Pattern PUBLISHER = Pattern.compile("extends\\s+OutboxPublisher\\b");
    private static final Pattern PUBLISHED_TOPIC = Pattern.compile("super\\(\\s*Topic\\.([A-Z_]+)\\s*,");
    private static final Pattern CONSUMER = Pattern.compile("new\\s+TopicConsumer\\(");
    private static final Pattern CONSUMER_OPTIONS = Pattern.compile("Options\\.of\\(\\s*\"([^\"]*)\"(\\s*\\+[^,]+)?\\s*,"
            + "\\s*List\\.of\\(([^;]*?)\\)\\s*,\\s*\"[a-z]+\"\\s*,\\s*TopicConsumer\\.OnFailure\\.([A-Z_]+)\\s*\\)");
    /** A consumer of service-common that every service runs, its group named after the service. */
    private static final Pattern PER_SERVICE_OPTIONS = Pattern.compile("Options\\.of\\(\\s*service\\s*\\+\\s*\"([^\"]*)\"\\s*\\+[^,]+,"
            + "\\s*List\\.of\\(([^;]*?)\\)\\s*,\\s*\"[a-z]+\"\\s*,\\s*TopicConsumer\\.OnFailure\\.([A-Z_]+)\\s*\\)");
    private static final Pattern TOPIC_NAME = Pattern.compile("Topic\\.([A-Z_]+)\\.name\\(\\)");
    /** Any other way to reach Kafka, which this reading would not understand. */
    private static final Pattern OTHER_CLIENT = Pattern.compile("new\\s+Kafka(Producer|Consumer)\\b|\\bAdmin(Client)?\\.create\\("
            + "|org\\.apache\\.kafka\\.clients\\.(producer|admin)\\.|org\\.eclipse\\.microprofile\\.reactive\\.messaging"
            + "|io\\.smallrye\\.reactive\\.messaging|KafkaClientService");
    /** The only classes of service-common that build Kafka clients, each from the whole configuration. */
    static final Set<String> BACKBONE_CLIENTS = Set.of("TopicConsumer.java", "OutboxRelay.java");

    /** Reads the Kafka use of the service whose module is {@code module}. */
    static KafkaUsage of(Path module) {
        Set<String> produced = new TreeSet<>();
        Set<String> consumed = new TreeSet<>();
        Set<String> groups = new TreeSet<>();
        Set<String> prefixes = new TreeSet<>();
        for (Path file : javaSources(module.resolve("src/main/java"))) {
            String code = read(file);
            Matcher other = OTHER_CLIENT.matcher(code);
            if (other.find()) {
                fail(file + " reaches Kafka through " + other.group()
                        + ": build clients with TopicConsumer or OutboxPublisher, whose ACLs this test derives");
            }
            int publishers = count(PUBLISHER, code);
            List<String> topics = new ArrayList<>();
            Matcher published = PUBLISHED_TOPIC.matcher(code);
            while (publishers > 0 && published.find()) {
                topics.add(topicName(published.group(1)));
            }
            assertEquals(publishers, topics.size(), file + ": each OutboxPublisher names its topic as super(Topic.X, ...)");
            produced.addAll(topics);

            int consumers = count(CONSUMER, code);
            int understood = 0;
            Matcher options = CONSUMER_OPTIONS.matcher(code);
            while (options.find()) {
                understood++;
                (options.group(2) == null ? groups : prefixes).add(options.group(1));
                Matcher names = TOPIC_NAME.matcher(options.group(3));
                List<String> subscribed = new ArrayList<>();
                while (names.find()) {
                    subscribed.add(topicName(names.group(1)));
                }
                assertEquals(options.group(3).split(",").length, subscribed.size(),
                        file + ": each topic given as Topic.X.name(): " + options.group(3));
                consumed.addAll(subscribed);
                if (options.group(4).equals("DEAD_LETTER")) {
                    produced.add(Topic.DEAD_LETTERS.name());
                }
            }
            assertEquals(consumers, understood, file + ": each TopicConsumer is built with TopicConsumer.Options.of("
                    + "\"group\" [+ suffix], List.of(Topic.X.name(), ...), \"offset reset\", TopicConsumer.OnFailure.Y)");
        }
        // what service-common runs in every service that uses Kafka (DeletedAccounts): group "<service>-..."
        for (Path file : javaSources(module.resolveSibling("platform").resolve("service-common/src/main/java"))) {
            String code = read(file);
            Matcher shared = PER_SERVICE_OPTIONS.matcher(code);
            int understood = 0;
            while (shared.find()) {
                understood++;
                prefixes.add(module.getFileName() + shared.group(1));
                Matcher names = TOPIC_NAME.matcher(shared.group(2));
                while (names.find()) {
                    consumed.add(topicName(names.group(1)));
                }
                if (shared.group(3).equals("DEAD_LETTER")) {
                    produced.add(Topic.DEAD_LETTERS.name());
                }
            }
            assertEquals(count(CONSUMER, code), understood, file + ": a TopicConsumer of service-common is built with "
                    + "TopicConsumer.Options.of(service + \"-suffix-\" + ..., List.of(Topic.X.name(), ...), ...)");
        }
        return new KafkaUsage(produced, consumed, groups, prefixes);
    }

    /** Whether the service uses Kafka at all. */
    boolean any() {
        return !produced.isEmpty() || !consumed.isEmpty();
    }

    /**
     * The ACLs this use needs, as "type name (pattern)" → operations: Write and Describe on a
     * produced topic, Read and Describe on a consumed one, Read on each consumer group.
     */
    Map<String, Set<String>> acls() {
        Map<String, Set<String>> acls = new TreeMap<>();
        produced.forEach(t -> acls.computeIfAbsent(resource("topic", t, "literal"), k -> new TreeSet<>())
                .addAll(Set.of("Write", "Describe")));
        consumed.forEach(t -> acls.computeIfAbsent(resource("topic", t, "literal"), k -> new TreeSet<>())
                .addAll(Set.of("Read", "Describe")));
        groups.forEach(g -> acls.put(resource("group", g, "literal"), new TreeSet<>(Set.of("Read"))));
        groupPrefixes.forEach(g -> acls.put(resource("group", g, "prefix"), new TreeSet<>(Set.of("Read"))));
        return acls;
    }

    static String resource(String type, String name, String pattern) {
        return type + " " + name + " (" + pattern + ")";
    }

    /** The files of service-common that build Kafka clients. */
    static Set<String> backboneClientFiles(Path serviceCommon) {
        Set<String> files = new TreeSet<>();
        for (Path file : javaSources(serviceCommon.resolve("src/main/java"))) {
            if (Pattern.compile("new\\s+Kafka(Producer|Consumer)\\b|\\bAdmin(Client)?\\.create\\(").matcher(read(file)).find()) {
                files.add(file.getFileName().toString());
            }
        }
        return files;
    }

    private static String topicName(String constant) {
        try {
            return ((Topic) Topic.class.getField(constant).get(null)).name();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new AssertionError("Topic." + constant + " is not a topic of contracts", e);
        }
    }

    private static int count(Pattern pattern, String code) {
        int n = 0;
        Matcher m = pattern.matcher(code);
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static List<Path> javaSources(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
