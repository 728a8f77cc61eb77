package org.e2echat.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.bson.Document;
import org.e2echat.contracts.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalInfraTest {

    @Test
    void createsEveryTopicWithItsDeclaredPartitionCount() throws Exception {
        try (LocalInfra infra = LocalInfra.start(LocalInfra.Options.ephemeral());
                Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafka().bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                    Topic.ALL.stream().map(Topic::name).collect(Collectors.toList()))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            for (Topic topic : Topic.ALL) {
                assertEquals(topic.partitions(), topics.get(topic.name()).partitions().size(), topic.name());
            }
        }
    }

    @Test
    void fileBackedStoreKeepsDocumentsAndTopicsAcrossRestarts(@TempDir Path dataDir) throws Exception {
        String id = UUID.randomUUID().toString();
        try (LocalInfra infra = LocalInfra.start(new LocalInfra.Options(0, 0, dataDir));
                MongoClient client = MongoClients.create(infra.mongo().connectionString())) {
            client.getDatabase("probe").getCollection("docs").insertOne(new Document("_id", id).append("v", 7));
        }
        try (LocalInfra infra = LocalInfra.start(new LocalInfra.Options(0, 0, dataDir));
                MongoClient client = MongoClients.create(infra.mongo().connectionString());
                Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafka().bootstrapServers()))) {
            Document read = client.getDatabase("probe").getCollection("docs").find(new Document("_id", id)).first();
            assertNotNull(read, "document written before the restart is gone");
            assertEquals(7, read.getInteger("v"));
            assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topic.MESSAGES.name()));
        }
    }

    @Test
    void brokerComesBackAfterAnOutageWithItsData() throws Exception {
        try (LocalInfra infra = LocalInfra.start(LocalInfra.Options.ephemeral())) {
            String bootstrap = infra.kafka().bootstrapServers();
            infra.kafka().outage(() -> assertTrue(FreePorts.isFree(infra.kafka().port()), "broker still listening"));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topic.USERS.name()));
            }
        }
    }

    @Test
    void releasesItsPortsOnClose() {
        int mongoPort;
        int kafkaPort;
        try (LocalInfra infra = LocalInfra.start(LocalInfra.Options.ephemeral())) {
            mongoPort = infra.mongo().port();
            kafkaPort = infra.kafka().port();
            assertTrue(!FreePorts.isFree(mongoPort) && !FreePorts.isFree(kafkaPort), "servers are not listening");
        }
        assertTrue(FreePorts.isFree(mongoPort), "MongoDB port still bound");
        assertTrue(FreePorts.isFree(kafkaPort), "Kafka port still bound");
    }
}
