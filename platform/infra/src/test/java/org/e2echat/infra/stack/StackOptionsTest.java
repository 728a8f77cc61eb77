package org.e2echat.infra.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StackOptionsTest {

    private static final ServiceSpec GATEWAY = ServiceSpec.ALL.get(3);

    @Test
    void oneReplicaOnTheDocumentedPortsByDefault() {
        StackOptions options = StackOptions.parse(new String[0]);

        assertEquals(1, options.replicas());
        assertEquals(8080, options.portOf(GATEWAY));
        assertEquals(27017, options.mongoPort());
    }

    @Test
    void parsesReplicasAndPorts() {
        StackOptions options = StackOptions.parse(new String[] {"--replicas", "3", "--gateway-port", "0",
            "--data-dir", "some/dir", "--log-dir", "logs"});

        assertEquals(3, options.replicas());
        assertEquals(0, options.portOf(GATEWAY));
        assertEquals(Path.of("some/dir").toAbsolutePath(), options.dataDir());
        assertEquals(Path.of("logs").toAbsolutePath(), options.logDir());
    }

    @Test
    void rejectsAReplicaCountOutsideOneToEight() {
        assertThrows(IllegalArgumentException.class, () -> StackOptions.parse(new String[] {"--replicas", "0"}));
        assertThrows(IllegalArgumentException.class, () -> StackOptions.parse(new String[] {"--replicas", "9"}));
        assertThrows(IllegalArgumentException.class, () -> StackOptions.parse(new String[] {"--replicas", "two"}));
        assertTrue(StackOptions.USAGE.contains("--replicas N"), StackOptions.USAGE);
    }

    @Test
    void freePortsForTestsAskForZeroEverywhere() {
        StackOptions options = StackOptions.defaults(Path.of(".")).withFreePorts().withReplicas(2);

        assertEquals(0, options.mongoPort());
        assertEquals(0, options.kafkaPort());
        ServiceSpec.ALL.forEach(s -> assertEquals(0, options.portOf(s), s.name()));
        assertEquals(2, options.replicas());
    }
}
