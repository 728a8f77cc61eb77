package org.e2echat.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.kafka.client.runtime.KafkaRuntimeConfigProducer;
import io.quarkus.runtime.ApplicationConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes passes the Kafka settings as {@code KAFKA_*} environment variables (deploy/k8s):
 * each must arrive as a client property in the {@code kafka.*} configuration every Kafka client
 * of a service is built from ({@code @Identifier("default-kafka-broker")}).
 */
class KafkaEnvironmentTest {

    @Test
    void kafkaEnvironmentVariablesBecomeClientPropertiesOfTheSharedKafkaConfiguration() {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"gateway\" password=\"p\";";
        Map<String, String> environment = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "e2echat-kafka-bootstrap:9093",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", jaas,
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/e2echat/kafka-ca/ca.crt");
        // the shared defaults (service-common's microprofile-config.properties) under that environment
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultSources()
                .withSources(new EnvConfigSource(environment, 400)).build();

        Map<String, Object> kafka = new KafkaRuntimeConfigProducer().createKafkaRuntimeConfig(config, new ApplicationConfig() {
            public Optional<String> name() {
                return Optional.of("gateway");
            }

            public Optional<String> version() {
                return Optional.empty();
            }

            public Optional<String> uiHeader() {
                return Optional.empty();
            }
        });

        Map<String, Object> expected = new TreeMap<>(Map.of(
                "bootstrap.servers", "e2echat-kafka-bootstrap:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", jaas,
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", "/etc/e2echat/kafka-ca/ca.crt"));
        Map<String, Object> actual = new TreeMap<>(kafka);
        actual.keySet().retainAll(expected.keySet());
        assertEquals(expected, actual);
    }
}
