package org.e2echat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.e2echat.contracts.Topic;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code deploy/k8s} true to the code: the topics and partition counts of {@code contracts},
 * each service's port, health probes and every environment variable its configuration reads, the
 * image names the Jib profile builds, and the operator-facing docs.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of(System.getProperty("e2echat.root", "../..")).toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final List<String> SERVICES = List.of("user-service", "session-service", "message-service", "gateway");
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    private static final Pattern SERVICE_URL = Pattern.compile("([A-Z]+)_SERVICE_URL");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    @Test
    void everyFileIsListedInTheKustomizationAndEveryImageIsTaggedWithTheProjectVersion() throws IOException {
        JsonNode kustomization = yaml.readTree(K8S.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (var files = Files.list(K8S)) {
            Set<String> present = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(present, listed, "manifests in deploy/k8s vs resources of kustomization.yaml");
        }
        Map<String, String> tags = new TreeMap<>();
        kustomization.path("images").forEach(i -> tags.put(i.path("name").asText(), i.path("newTag").asText()));
        String version = System.getProperty("e2echat.version");
        assertNotNull(version, "the build passes e2echat.version");
        Map<String, String> expected = new TreeMap<>();
        SERVICES.forEach(s -> expected.put("e2echat/" + s, version));
        assertEquals(expected, tags, "images as the container-image profile names them (group e2echat, artifactId, version)");
    }

    @Test
    void kafkaTopicsAreTheContractsTopicsWithTheirPartitionCountsAndNoAutoCreation() throws IOException {
        Map<String, Integer> declared = new TreeMap<>();
        JsonNode kafka = null;
        for (JsonNode doc : documents("kafka.yaml")) {
            switch (doc.path("kind").asText()) {
                case "KafkaTopic" -> declared.put(doc.path("metadata").path("name").asText(),
                        doc.path("spec").path("partitions").asInt());
                case "Kafka" -> kafka = doc;
                default -> { }
            }
        }
        Map<String, Integer> contracts = new TreeMap<>();
        Topic.ALL.forEach(t -> contracts.put(t.name(), t.partitions()));
        assertEquals(contracts, declared);
        assertNotNull(kafka, "a Kafka resource");
        assertFalse(kafka.path("spec").path("kafka").path("config").path("auto.create.topics.enable").asBoolean(true),
                "topics are created explicitly, never by a first write");
        JsonNode config = single("config.yaml", "ConfigMap");
        assertEquals(kafka.path("metadata").path("name").asText() + "-kafka-bootstrap:9092",
                config.path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText(), "Strimzi's bootstrap service");
    }

    @Test
    void eachServiceListensOnItsConfiguredPortWithHealthProbesAndGetsEveryVariableItsConfigReads() throws IOException {
        JsonNode configMap = single("config.yaml", "ConfigMap");
        Set<String> shared = placeholders(ROOT.resolve(
                "platform/service-common/src/main/resources/META-INF/microprofile-config.properties"));
        assertTrue(shared.contains("MONGODB_URL") && shared.contains("KAFKA_BOOTSTRAP_SERVERS"), shared.toString());
        for (String service : SERVICES) {
            Path properties = ROOT.resolve(service).resolve("src/main/resources/application.properties");
            Properties own = new Properties();
            own.load(new StringReader(Files.readString(properties)));
            int port = Integer.parseInt(own.getProperty("quarkus.http.port"));

            List<JsonNode> docs = documents(service + ".yaml");
            JsonNode deployment = ofKind(docs, "Deployment");
            JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
            assertEquals("e2echat/" + service, container.path("image").asText(), service);
            assertEquals(port, container.path("ports").get(0).path("containerPort").asInt(), service + " port");
            assertEquals("http", container.path("ports").get(0).path("name").asText(), service);
            for (String[] probe : new String[][] {{"startupProbe", "started"}, {"readinessProbe", "ready"},
                    {"livenessProbe", "live"}}) {
                JsonNode get = container.path(probe[0]).path("httpGet");
                assertEquals("/q/health/" + probe[1], get.path("path").asText(), service + " " + probe[0]);
                assertEquals("http", get.path("port").asText(), service + " " + probe[0]);
            }
            assertTrue(container.path("resources").path("limits").has("memory"), service + " memory limit");
            assertFalse(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true), service);

            JsonNode svc = ofKind(docs, "Service");
            assertEquals(service, svc.path("metadata").path("name").asText());
            assertEquals(port, svc.path("spec").path("ports").get(0).path("port").asInt(), service + " Service port");

            Set<String> provided = new TreeSet<>();
            container.path("env").forEach(e -> provided.add(e.path("name").asText()));
            for (JsonNode from : container.path("envFrom")) {
                assertEquals(configMap.path("metadata").path("name").asText(),
                        from.path("configMapRef").path("name").asText(), service + " envFrom");
                configMap.path("data").fieldNames().forEachRemaining(provided::add);
            }
            Set<String> needed = new TreeSet<>(shared);
            needed.addAll(placeholders(properties));
            needed.removeAll(provided);
            assertEquals(Set.of(), needed, service + " reads these variables but the Deployment does not set them");
        }
    }

    @Test
    void everyServiceWritesToMongoDbWithAWriteConcernThatSurvivesTheCrashOfOneMember() throws IOException {
        JsonNode mongo = single("mongodb.yaml", "MongoDBCommunity");
        JsonNode spec = mongo.path("spec");
        assertTrue(spec.path("members").asInt() >= 3, "a majority outlives one member only with three or more");
        Map<String, String> required = Map.of("w", "majority", "journal", "true", "retryWrites", "true");
        assertEquals(required, options(spec.path("additionalConnectionStringConfig"), required.keySet()),
                "options the operator appends to every connection string");

        // the operator writes each user's connection string into <resource>-<db>-<user> unless told otherwise
        Set<String> secrets = new TreeSet<>();
        for (JsonNode user : spec.path("users")) {
            Map<String, String> own = options(user.path("additionalConnectionStringConfig"), required.keySet());
            own.forEach((option, value) -> assertEquals(required.get(option), value,
                    "user " + user.path("name").asText() + " overrides " + option));
            secrets.add(user.path("connectionStringSecretName").asText(mongo.path("metadata").path("name").asText()
                    + "-" + user.path("db").asText("admin") + "-" + user.path("name").asText()));
        }
        for (String service : SERVICES) {
            JsonNode container = ofKind(documents(service + ".yaml"), "Deployment").path("spec").path("template")
                    .path("spec").path("containers").get(0);
            List<JsonNode> url = new ArrayList<>();
            container.path("env").forEach(e -> {
                if (e.path("name").asText().equals("MONGODB_URL")) {
                    url.add(e.path("valueFrom").path("secretKeyRef"));
                }
            });
            assertEquals(1, url.size(), service + " sets MONGODB_URL once, from a Secret");
            assertTrue(secrets.contains(url.get(0).path("name").asText()),
                    service + " reads MONGODB_URL from " + url.get(0) + ", not from the operator's " + secrets);
            assertTrue(url.get(0).path("key").asText().startsWith("connectionString.standard"), service);
        }
    }

    private static Map<String, String> options(JsonNode config, Set<String> names) {
        Map<String, String> found = new TreeMap<>();
        for (Map.Entry<String, JsonNode> option : config.properties()) {
            if (names.contains(option.getKey())) {
                found.put(option.getKey(), option.getValue().asText());
            }
        }
        return found;
    }

    @Test
    void theGatewayScalesHorizontallyAndEveryVariableSetIsDocumentedForOperators() throws IOException {
        JsonNode hpa = ofKind(documents("gateway.yaml"), "HorizontalPodAutoscaler");
        assertEquals("gateway", hpa.path("spec").path("scaleTargetRef").path("name").asText());
        assertTrue(hpa.path("spec").path("minReplicas").asInt() >= 2, "more than one gateway, so a restart drops no one for long");

        String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        Set<String> undocumented = new TreeSet<>();
        single("config.yaml", "ConfigMap").path("data").fieldNames().forEachRemaining(undocumented::add);
        for (String service : SERVICES) {
            ofKind(documents(service + ".yaml"), "Deployment").path("spec").path("template").path("spec")
                    .path("containers").get(0).path("env").forEach(e -> undocumented.add(e.path("name").asText()));
        }
        undocumented.removeIf(name -> operations.contains("`" + name + "`"));
        assertEquals(Set.of(), undocumented, "variables set in deploy/k8s but missing from docs/operations.md");
    }

    @Test
    void eachServiceAcceptsConnectionsFromExactlyTheServicesWhoseConfigPointsAtIt() throws IOException {
        Set<String> shared = placeholders(ROOT.resolve(
                "platform/service-common/src/main/resources/META-INF/microprofile-config.properties"));
        Map<String, Set<String>> callers = new TreeMap<>();
        SERVICES.forEach(s -> callers.put(s, new TreeSet<>()));
        for (String service : SERVICES) {
            Set<String> reads = new TreeSet<>(shared);
            reads.addAll(placeholders(ROOT.resolve(service).resolve("src/main/resources/application.properties")));
            for (String variable : reads) {
                Matcher m = SERVICE_URL.matcher(variable);
                if (m.matches()) {
                    String target = m.group(1).toLowerCase(java.util.Locale.ROOT) + "-service";
                    assertTrue(callers.containsKey(target), variable + " names no service");
                    if (!target.equals(service)) {
                        callers.get(target).add(service);
                    }
                }
            }
        }
        Map<String, Set<String>> allowed = new TreeMap<>();
        for (JsonNode policy : documents("network-policies.yaml")) {
            String selected = policy.path("spec").path("podSelector").path("matchLabels")
                    .path("app.kubernetes.io/name").asText();
            assertTrue(callers.containsKey(selected), "policy for an unknown workload " + selected);
            assertEquals(null, allowed.put(selected, new TreeSet<>()), "one policy per service: " + selected);
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                for (JsonNode from : rule.path("from")) {
                    String peer = from.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText("");
                    if (!peer.isEmpty()) {
                        allowed.get(selected).add(peer);
                    }
                }
                rule.path("ports").forEach(port -> assertEquals("http", port.path("port").asText(), selected));
            }
        }
        assertEquals(callers, allowed, "pods allowed to connect vs the services configured to call each one");
    }

    private static Set<String> placeholders(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("#") || line.startsWith("%")) {
                continue; // comments and profile-only (dev, test) settings
            }
            Matcher m = ENV_PLACEHOLDER.matcher(line);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private List<JsonNode> documents(String file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) yaml.getFactory().createParser(K8S.resolve(file).toFile())) {
            Iterator<JsonNode> it = yaml.readValues(parser, JsonNode.class);
            it.forEachRemaining(d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            });
        }
        return docs;
    }

    private JsonNode single(String file, String kind) throws IOException {
        return ofKind(documents(file), kind);
    }

    private static JsonNode ofKind(List<JsonNode> docs, String kind) {
        List<JsonNode> found = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertEquals(1, found.size(), "one " + kind);
        return found.get(0);
    }
}
