package org.e2echat.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaConfigTest {

    @Test
    void aFileBackedBrokerSyncsEveryRecordToDisk() {
        assertEquals("1", EmbeddedKafka.brokerProperties(9092, 9093, Path.of("/tmp/x"), true)
                .getProperty("log.flush.interval.messages"));
    }

    @Test
    void aTemporaryBrokerLeavesFlushingToTheOperatingSystem() {
        // its log is deleted with the process, so a flush per record buys nothing and costs latency
        assertNull(EmbeddedKafka.brokerProperties(9092, 9093, Path.of("/tmp/x"), false)
                .getProperty("log.flush.interval.messages"));
    }
}
