package org.e2echat.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.e2echat.infra.LocalInfra;

/**
 * Points a service's {@code @QuarkusTest}s at the shared embedded MongoDB-wire server and Kafka
 * broker. The infrastructure starts once per test JVM and stops when it exits, so Quarkus
 * restarts between test classes reuse it.
 */
public class InfraTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new LinkedHashMap<>(LocalInfra.shared().serviceConfig());
        config.put("quarkus.log.category.\"org.apache.kafka\".level", "WARN");
        config.put("quarkus.log.category.\"kafka\".level", "WARN");
        config.put("quarkus.log.category.\"de.bwaldvogel\".level", "WARN");
        return config;
    }

    @Override
    public void stop() {
        // shared across the JVM's test classes; LocalInfra stops it at JVM exit
    }
}
