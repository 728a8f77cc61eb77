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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.e2echat.contracts.Topic;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code deploy/k8s} true to the code: the topics and partition counts of {@code contracts},
 * each service's port, health probes and every environment variable its configuration reads, the
 * image names the Jib profile builds, least privilege (each service's Kafka ACLs and MongoDB user
 * against what its code uses, credentials only from Secrets, the signing key as a file, default-deny
 * network policies with exactly the flows the code needs), and the operator-facing docs.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of(System.getProperty("e2echat.root", "../..")).toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final List<String> SERVICES = List.of("user-service", "session-service", "message-service", "gateway");
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    private static final Pattern SERVICE_URL = Pattern.compile("([A-Z]+)_SERVICE_URL");
    /** Settings read from a value or from a file; in Kubernetes always from the file (a mounted Secret). */
    private static final Map<String, String> FILE_INSTEAD = Map.of("JWT_SIGNING_JWK", "JWT_SIGNING_JWK_FILE");
    /** The port of the MongoDB replica set members (the operator's default). */
    private static final int MONGODB_PORT = 27017;

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
        assertEquals(kafka.path("metadata").path("name").asText() + "-kafka-bootstrap:" + clientListener().path("port").asInt(),
                config.path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText(), "Strimzi's bootstrap service, TLS listener");
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
            if (database(service) == null) {
                needed.remove("MONGODB_URL"); // no database: no credentials for one (everyServiceWithADatabase...)
            }
            FILE_INSTEAD.forEach((variable, file) -> {
                if (provided.contains(file)) {
                    needed.remove(variable);
                }
            });
            needed.removeAll(provided);
            assertEquals(Set.of(), needed, service + " reads these variables but the Deployment does not set them");
        }
    }

    @Test
    void eachServiceWritesToMongoDbAsItsOwnUserWithAWriteConcernThatSurvivesTheCrashOfOneMember() throws IOException {
        JsonNode mongo = single("mongodb.yaml", "MongoDBCommunity");
        JsonNode spec = mongo.path("spec");
        assertTrue(spec.path("members").asInt() >= 3, "a majority outlives one member only with three or more");
        Map<String, String> required = Map.of("w", "majority", "journal", "true", "retryWrites", "true");
        assertEquals(required, options(spec.path("additionalConnectionStringConfig"), required.keySet()),
                "options the operator appends to every connection string");

        // the operator writes each user's connection string into <resource>-<db>-<user> unless told otherwise
        Map<String, String> secretOfUser = new TreeMap<>();
        for (JsonNode user : spec.path("users")) {
            Map<String, String> own = options(user.path("additionalConnectionStringConfig"), required.keySet());
            own.forEach((option, value) -> assertEquals(required.get(option), value,
                    "user " + user.path("name").asText() + " overrides " + option));
            secretOfUser.put(user.path("name").asText(), user.path("connectionStringSecretName").asText(
                    mongo.path("metadata").path("name").asText() + "-" + user.path("db").asText("admin") + "-"
                            + user.path("name").asText()));
        }
        for (String service : SERVICES) {
            List<JsonNode> url = new ArrayList<>();
            container(service).path("env").forEach(e -> {
                if (e.path("name").asText().equals("MONGODB_URL")) {
                    url.add(e.path("valueFrom").path("secretKeyRef"));
                }
            });
            if (database(service) == null) {
                continue; // eachServiceWithADatabase... checks it has none
            }
            assertEquals(1, url.size(), service + " sets MONGODB_URL once, from a Secret");
            assertEquals(secretOfUser.get(service), url.get(0).path("name").asText(),
                    service + " reads MONGODB_URL from the Secret of its own database user");
            assertTrue(url.get(0).path("key").asText().startsWith("connectionString.standard"), service);
        }
    }

    @Test
    void everyServiceWithADatabaseHasItsOwnUserAllowedOnlyItsOwnDatabaseAndTheGatewayHasNone() throws IOException {
        JsonNode mongo = single("mongodb.yaml", "MongoDBCommunity");
        Map<String, Set<String>> rolesOfUser = new TreeMap<>();
        for (JsonNode user : mongo.path("spec").path("users")) {
            Set<String> roles = new TreeSet<>();
            user.path("roles").forEach(r -> roles.add(r.path("name").asText() + "@" + r.path("db").asText()));
            assertEquals(null, rolesOfUser.put(user.path("name").asText(), roles), "one user per name");
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        for (String service : SERVICES) {
            String database = database(service);
            if (database != null) {
                expected.put(service, Set.of("readWrite@" + database));
            } else {
                assertNoMongoDbCredentials(service, mongo);
            }
            assertMongoDbOnlyThroughTheConfiguredDatabase(service);
        }
        assertEquals(expected, rolesOfUser, "MongoDB users and their roles vs the database each service configures");
    }

    /** A service without a database gets no connection string and no Secret of the MongoDB operator. */
    private void assertNoMongoDbCredentials(String service, JsonNode mongo) throws IOException {
        String prefix = mongo.path("metadata").path("name").asText();
        JsonNode container = container(service);
        container.path("env").forEach(e -> {
            assertFalse(e.path("name").asText().equals("MONGODB_URL"), service + " has no database, so no MONGODB_URL");
            assertFalse(e.path("valueFrom").path("secretKeyRef").path("name").asText().startsWith(prefix),
                    service + " reads a MongoDB Secret: " + e);
        });
        String code = sources(ROOT.resolve(service).resolve("src/main/java"));
        for (String api : List.of("com.mongodb", "io.quarkus.mongodb", "org.bson")) {
            assertFalse(code.contains(api), service + " has no database but uses " + api);
        }
    }

    /** Every collection lives in the configured database: no entity or call names another one. */
    private static void assertMongoDbOnlyThroughTheConfiguredDatabase(String service) throws IOException {
        String code = sources(ROOT.resolve(service).resolve("src/main/java"));
        assertFalse(Pattern.compile("@MongoEntity\\([^)]*database\\s*=").matcher(code).find(),
                service + ": an entity names a database of its own");
        assertFalse(Pattern.compile("getDatabase\\(\\s*\"").matcher(code).find(), service + ": a database named in code");
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
    void kafkaHasOnlyATlsListenerWithScramAndDeniesWhatNoAclAllows() throws IOException {
        JsonNode kafka = single("kafka.yaml", "Kafka").path("spec").path("kafka");
        assertTrue(kafka.path("listeners").size() >= 1, "a listener");
        for (JsonNode listener : kafka.path("listeners")) {
            assertTrue(listener.path("tls").asBoolean(false), "no plaintext listener: " + listener.path("name"));
            String authentication = listener.path("authentication").path("type").asText("none");
            assertTrue(Set.of("scram-sha-512", "tls").contains(authentication),
                    "every listener authenticates its clients: " + listener.path("name") + " " + authentication);
        }
        assertEquals("simple", kafka.path("authorization").path("type").asText(), "ACLs decide, deny by default");
        assertFalse(kafka.path("config").has("allow.everyone.if.no.acl.found")
                && kafka.path("config").path("allow.everyone.if.no.acl.found").asBoolean(), "no ACL means no access");
        assertTrue(kafka.path("authorization").path("superUsers").isMissingNode(), "no super users besides Strimzi's own");
        assertTrue(single("kafka.yaml", "Kafka").path("spec").path("entityOperator").has("userOperator"),
                "the User Operator creates the KafkaUsers' credentials and ACLs");
    }

    @Test
    void eachServiceHasAKafkaUserWhoseAclsAreExactlyWhatItsCodeProducesAndConsumes() throws IOException {
        assertEquals(KafkaUsage.BACKBONE_CLIENTS, KafkaUsage.backboneClientFiles(ROOT.resolve("platform/service-common")),
                "service-common builds Kafka clients only in the consumer and the outbox relay");
        assertTrue(Files.readString(ROOT.resolve(
                "platform/service-common/src/main/java/org/e2echat/common/events/TopicConsumer.java"))
                .contains("Topic.DEAD_LETTERS.name()"), "a dead-lettering consumer writes to chat.dead-letters");
        String cluster = single("kafka.yaml", "Kafka").path("metadata").path("name").asText();
        String authentication = clientListener().path("authentication").path("type").asText();
        Map<String, Map<String, Set<String>>> declared = new TreeMap<>();
        for (JsonNode user : documents("kafka.yaml")) {
            if (!user.path("kind").asText().equals("KafkaUser")) {
                continue;
            }
            String name = user.path("metadata").path("name").asText();
            assertEquals(cluster, user.path("metadata").path("labels").path("strimzi.io/cluster").asText(), name);
            assertEquals(authentication, user.path("spec").path("authentication").path("type").asText(),
                    name + " authenticates as the listener requires");
            assertEquals("simple", user.path("spec").path("authorization").path("type").asText(), name);
            Map<String, Set<String>> acls = new TreeMap<>();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                assertEquals("*", acl.path("host").asText("*"), name);
                assertEquals("allow", acl.path("type").asText("allow"), name);
                Set<String> operations = acls.computeIfAbsent(KafkaUsage.resource(resource.path("type").asText(),
                        resource.path("name").asText(), resource.path("patternType").asText("literal")), k -> new TreeSet<>());
                acl.path("operations").forEach(o -> operations.add(o.asText()));
            }
            assertEquals(null, declared.put(name, acls), "one KafkaUser per name");
        }
        Map<String, Map<String, Set<String>>> needed = new TreeMap<>();
        for (String service : SERVICES) {
            KafkaUsage usage = KafkaUsage.of(ROOT.resolve(service));
            if (usage.any()) {
                needed.put(service, usage.acls());
            }
        }
        assertEquals(needed, declared, "each service's KafkaUser ACLs vs the topics and groups its code uses");
    }

    @Test
    void everyKafkaClientGetsTheTlsAndScramSettingsAndItsOwnCredentialsOnly() throws IOException {
        JsonNode kafka = single("kafka.yaml", "Kafka");
        String cluster = kafka.path("metadata").path("name").asText();
        Map<String, String> config = new TreeMap<>();
        single("config.yaml", "ConfigMap").path("data").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
        assertEquals("SASL_SSL", config.get("KAFKA_SECURITY_PROTOCOL"), "TLS and SASL");
        assertEquals("scram-sha-512", clientListener().path("authentication").path("type").asText());
        assertEquals("SCRAM-SHA-512", config.get("KAFKA_SASL_MECHANISM"), "the listener's mechanism");
        assertEquals("PEM", config.get("KAFKA_SSL_TRUSTSTORE_TYPE"), "Strimzi's ca.crt is PEM");
        String truststore = config.get("KAFKA_SSL_TRUSTSTORE_LOCATION");

        // Quarkus gives every Kafka client each KAFKA_* variable as a client property: lower case, "_" → "."
        Set<String> clientProperties = new TreeSet<>(ProducerConfig.configNames());
        clientProperties.retainAll(ConsumerConfig.configNames());
        Set<String> variables = new TreeSet<>(config.keySet());
        for (String service : SERVICES) {
            container(service).path("env").forEach(e -> variables.add(e.path("name").asText()));
        }
        for (String variable : variables) {
            if (variable.startsWith("KAFKA_")) {
                String property = variable.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
                assertTrue(clientProperties.contains(property), variable + " is no producer and consumer property: " + property);
            }
        }

        for (String service : SERVICES) {
            if (!KafkaUsage.of(ROOT.resolve(service)).any()) {
                continue;
            }
            JsonNode container = container(service);
            List<JsonNode> jaas = new ArrayList<>();
            container.path("env").forEach(e -> {
                if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                    jaas.add(e.path("valueFrom").path("secretKeyRef"));
                }
            });
            assertEquals(1, jaas.size(), service + " sets KAFKA_SASL_JAAS_CONFIG once, from a Secret");
            assertEquals(service, jaas.get(0).path("name").asText(), service + " logs in as its own KafkaUser");
            assertEquals("sasl.jaas.config", jaas.get(0).path("key").asText(), service);
            JsonNode volume = secretVolumeAt(service, truststore);
            assertEquals(cluster + "-cluster-ca-cert", volume.path("secret").path("secretName").asText(),
                    service + ": the truststore is Strimzi's cluster CA");
            assertEquals(Path.of(truststore).getFileName().toString(), itemPath(volume, "ca.crt"), service);
        }
    }

    @Test
    void credentialsComeFromSecretsOnlyAndTheSigningKeyIsAFileNeverAnEnvironmentVariable() throws IOException {
        Pattern credential = Pattern.compile("PASSWORD|SECRET|TOKEN|JAAS|JWK|PRIVATE|CREDENTIAL|MONGODB_URL");
        single("config.yaml", "ConfigMap").path("data").properties().forEach(e -> {
            assertFalse(credential.matcher(e.getKey()).find(), "a credential in the ConfigMap: " + e.getKey());
            assertFalse(e.getValue().asText().matches("(?s).*(://[^/\\s]*@|password|BEGIN .*PRIVATE).*"),
                    "a credential in the ConfigMap value of " + e.getKey());
        });
        for (String service : SERVICES) {
            JsonNode pod = deployment(service).path("spec").path("template").path("spec");
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true),
                    service + " calls no Kubernetes API, so its pods hold no service-account token");
            for (JsonNode e : container(service).path("env")) {
                String name = e.path("name").asText();
                if (credential.matcher(name).find() && !name.endsWith("_FILE")) {
                    assertTrue(e.has("valueFrom") && !e.has("value"), service + " sets " + name + " in plain text");
                }
                FILE_INSTEAD.keySet().forEach(variable -> assertFalse(name.equals(variable),
                        service + " passes " + variable + " in the environment; mount it and set " + FILE_INSTEAD.get(variable)));
            }
            assertTrue(container(service).path("envFrom").findValues("secretRef").isEmpty(),
                    service + ": a whole Secret as environment variables");
        }
        // the signing key: user-service reads the file its configuration names, mounted from a Secret
        JsonNode file = null;
        for (JsonNode e : container("user-service").path("env")) {
            if (e.path("name").asText().equals("JWT_SIGNING_JWK_FILE")) {
                file = e;
            }
        }
        assertNotNull(file, "user-service reads its signing key from a file");
        assertTrue(placeholders(ROOT.resolve("user-service/src/main/resources/application.properties"))
                .contains("JWT_SIGNING_JWK_FILE"), "user-service's configuration reads JWT_SIGNING_JWK_FILE");
        String path = file.path("value").asText();
        JsonNode volume = secretVolumeAt("user-service", path);
        String key = null;
        for (JsonNode item : volume.path("secret").path("items")) {
            if (item.path("path").asText().equals(Path.of(path).getFileName().toString())) {
                key = item.path("key").asText();
            }
        }
        assertNotNull(key, "the key file is projected from a key of the Secret");
        assertEquals(0, volume.path("secret").path("defaultMode").asInt(0644) & 0007, "the key file is not world-readable");
        String secret = volume.path("secret").path("secretName").asText();
        for (String service : SERVICES) {
            for (JsonNode e : container(service).path("env")) {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                assertFalse(ref.path("name").asText().equals(secret) && ref.path("key").asText().equals(key),
                        service + " has the signing key in its environment");
            }
            if (!service.equals("user-service")) {
                deployment(service).path("spec").path("template").path("spec").path("volumes").forEach(v -> assertFalse(
                        v.path("secret").path("secretName").asText().equals(secret), service + " mounts the signing key"));
            }
        }
    }

    @Test
    void networkPoliciesDenyEverythingByDefaultAndAllowExactlyTheFlowsTheCodeNeeds() throws IOException {
        List<JsonNode> policies = documents("network-policies.yaml");
        assertTrue(policies.stream().anyMatch(p -> p.path("spec").path("podSelector").isEmpty()
                && policyTypes(p).equals(Set.of("Ingress", "Egress")) && !p.path("spec").has("ingress")
                && !p.path("spec").has("egress")), "a policy that selects every pod and allows nothing, in and out");

        Set<String> routed = new TreeSet<>();
        single("ingress.yaml", "Ingress").findValues("service").forEach(s -> routed.add(s.path("name").asText()));
        String kafkaPort = String.valueOf(clientListener().path("port").asInt());
        Map<String, Set<String>> callers = callers();
        Map<String, Set<String>> expectedIngress = new TreeMap<>();
        Map<String, Set<String>> expectedEgress = new TreeMap<>();
        Map<String, Set<String>> allowedIngress = new TreeMap<>();
        Map<String, Set<String>> allowedEgress = new TreeMap<>();
        for (String service : SERVICES) {
            Set<String> in = new TreeSet<>();
            callers.get(service).forEach(caller -> in.add(caller + ":http"));
            if (routed.contains(service)) {
                in.add("namespace ingress-nginx:http");
            }
            if (deployment(service).path("spec").path("template").path("metadata").path("annotations")
                    .path("prometheus.io/scrape").asText().equals("true")) {
                in.add("namespace monitoring:http");
            }
            expectedIngress.put(service, in);
            Set<String> out = new TreeSet<>(Set.of("dns:53/UDP", "dns:53/TCP"));
            for (String callee : SERVICES) {
                if (callers.get(callee).contains(service)) {
                    out.add(callee + ":" + port(callee) + "/TCP");
                }
            }
            if (KafkaUsage.of(ROOT.resolve(service)).any()) {
                out.add("kafka brokers:" + kafkaPort + "/TCP");
            }
            if (database(service) != null) {
                out.add("mongodb:" + MONGODB_PORT + "/TCP");
            }
            expectedEgress.put(service, out);

            Map<String, String> labels = new TreeMap<>();
            deployment(service).path("spec").path("template").path("metadata").path("labels").properties()
                    .forEach(l -> labels.put(l.getKey(), l.getValue().asText()));
            allowedIngress.put(service, flows(policies, labels, "ingress", "from"));
            allowedEgress.put(service, flows(policies, labels, "egress", "to"));
        }
        assertEquals(expectedIngress, allowedIngress, "connections each service accepts vs its callers, the Ingress and Prometheus");
        assertEquals(expectedEgress, allowedEgress,
                "connections each service may open vs the services it calls, Kafka, its database and DNS");

        // the other ends: the brokers' client listener and MongoDB accept exactly their clients
        Set<String> kafkaClients = new TreeSet<>();
        Set<String> mongoClients = new TreeSet<>(Set.of("mongodb:" + MONGODB_PORT + "/TCP"));
        for (String service : SERVICES) {
            if (KafkaUsage.of(ROOT.resolve(service)).any()) {
                kafkaClients.add(service);
            }
            if (database(service) != null) {
                mongoClients.add(service + ":" + MONGODB_PORT + "/TCP");
            }
        }
        Set<String> peers = new TreeSet<>();
        clientListener().path("networkPolicyPeers").forEach(p -> peers.add(peer(p)));
        assertEquals(kafkaClients, peers, "pods allowed to the brokers' client listener vs the services that use Kafka");
        assertEquals(mongoClients, flows(policies, Map.of("app", mongoDbPodLabel()), "ingress", "from"),
                "connections MongoDB accepts vs the services that have a database");
    }

    /** Who calls each service: the services whose configuration reads its *_SERVICE_URL (itself excluded). */
    private static Map<String, Set<String>> callers() throws IOException {
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
        return callers;
    }

    /** Every "peer:port/protocol" the policies selecting a pod with {@code labels} allow in one direction. */
    private Set<String> flows(List<JsonNode> policies, Map<String, String> labels, String direction, String peers)
            throws IOException {
        Set<String> flows = new TreeSet<>();
        for (JsonNode policy : policies) {
            JsonNode selector = policy.path("spec").path("podSelector").path("matchLabels");
            boolean selects = true;
            for (Map.Entry<String, JsonNode> label : selector.properties()) {
                selects &= label.getValue().asText().equals(labels.get(label.getKey()));
            }
            assertTrue(policy.path("spec").path("podSelector").path("matchExpressions").isMissingNode(),
                    "selectors by labels only: " + policy.path("metadata").path("name"));
            if (!selects) {
                continue;
            }
            for (JsonNode rule : policy.path("spec").path(direction)) {
                List<String> from = new ArrayList<>();
                rule.path(peers).forEach(p -> from.add(peer(p)));
                if (from.isEmpty()) {
                    from.add("anywhere");
                }
                List<String> ports = new ArrayList<>();
                rule.path("ports").forEach(p -> ports.add(p.path("port").asText() + (p.path("port").isNumber()
                        ? "/" + p.path("protocol").asText("TCP") : "")));
                if (ports.isEmpty()) {
                    ports.add("any port");
                }
                from.forEach(f -> ports.forEach(p -> flows.add(f + ":" + p)));
            }
        }
        return flows;
    }

    /** A peer of a rule by name: a service, "kafka brokers", "mongodb", "dns", or "namespace N". */
    private String peer(JsonNode peer) {
        Map<String, String> pods = new TreeMap<>();
        peer.path("podSelector").path("matchLabels").properties().forEach(l -> pods.put(l.getKey(), l.getValue().asText()));
        Map<String, String> namespaces = new TreeMap<>();
        peer.path("namespaceSelector").path("matchLabels").properties()
                .forEach(l -> namespaces.put(l.getKey(), l.getValue().asText()));
        if (peer.has("ipBlock") || peer.path("podSelector").has("matchExpressions")
                || peer.path("namespaceSelector").has("matchExpressions")) {
            return peer.toString();
        }
        try {
            String kafka = single("kafka.yaml", "Kafka").path("metadata").path("name").asText();
            if (namespaces.isEmpty() && !peer.has("namespaceSelector")) {
                if (pods.size() == 1 && SERVICES.contains(pods.getOrDefault("app.kubernetes.io/name", ""))) {
                    return pods.get("app.kubernetes.io/name");
                }
                if (pods.equals(Map.of("strimzi.io/cluster", kafka, "strimzi.io/broker-role", "true"))) {
                    return "kafka brokers";
                }
                if (pods.equals(Map.of("app", mongoDbPodLabel()))) {
                    return "mongodb";
                }
            }
            if (namespaces.equals(Map.of("kubernetes.io/metadata.name", "kube-system"))
                    && pods.equals(Map.of("k8s-app", "kube-dns"))) {
                return "dns";
            }
            if (namespaces.size() == 1 && namespaces.containsKey("kubernetes.io/metadata.name") && !peer.has("podSelector")) {
                return "namespace " + namespaces.get("kubernetes.io/metadata.name");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return peer.toString();
    }

    private static Set<String> policyTypes(JsonNode policy) {
        Set<String> types = new TreeSet<>();
        policy.path("spec").path("policyTypes").forEach(t -> types.add(t.asText()));
        return types;
    }

    /** The MongoDB Community Operator labels the replica set's pods app=<resource>-svc. */
    private String mongoDbPodLabel() throws IOException {
        return single("mongodb.yaml", "MongoDBCommunity").path("metadata").path("name").asText() + "-svc";
    }

    /** The Kafka listener the services connect to (the port of KAFKA_BOOTSTRAP_SERVERS). */
    private JsonNode clientListener() throws IOException {
        JsonNode listeners = single("kafka.yaml", "Kafka").path("spec").path("kafka").path("listeners");
        assertEquals(1, listeners.size(), "one listener, for the services");
        return listeners.get(0);
    }

    /** The Secret volume mounted (read-only) where {@code file} lies in {@code service}'s container. */
    private JsonNode secretVolumeAt(String service, String file) throws IOException {
        JsonNode mount = null;
        for (JsonNode m : container(service).path("volumeMounts")) {
            if (file.startsWith(m.path("mountPath").asText() + "/")) {
                mount = m;
            }
        }
        assertNotNull(mount, service + " mounts nothing at " + file);
        assertTrue(mount.path("readOnly").asBoolean(false), service + " mounts " + file + " read-only");
        for (JsonNode v : deployment(service).path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(mount.path("name").asText())) {
                assertTrue(v.has("secret"), service + ": " + file + " comes from a Secret");
                return v;
            }
        }
        throw new AssertionError(service + ": no volume " + mount.path("name"));
    }

    private static String itemPath(JsonNode secretVolume, String key) {
        for (JsonNode item : secretVolume.path("secret").path("items")) {
            if (item.path("key").asText().equals(key)) {
                return item.path("path").asText();
            }
        }
        return key; // without items every key is a file of its own name
    }

    /** The database a service configures, or null when it has none (the gateway). */
    private static String database(String service) throws IOException {
        Properties own = new Properties();
        own.load(new StringReader(Files.readString(ROOT.resolve(service).resolve("src/main/resources/application.properties"))));
        return own.getProperty("quarkus.mongodb.database");
    }

    private static int port(String service) throws IOException {
        Properties own = new Properties();
        own.load(new StringReader(Files.readString(ROOT.resolve(service).resolve("src/main/resources/application.properties"))));
        return Integer.parseInt(own.getProperty("quarkus.http.port"));
    }

    private static String sources(Path root) throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.walk(root)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                all.append(Files.readString(f)).append('\n');
            }
        }
        return all.toString();
    }

    private JsonNode deployment(String service) throws IOException {
        return ofKind(documents(service + ".yaml"), "Deployment");
    }

    private JsonNode container(String service) throws IOException {
        return deployment(service).path("spec").path("template").path("spec").path("containers").get(0);
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
