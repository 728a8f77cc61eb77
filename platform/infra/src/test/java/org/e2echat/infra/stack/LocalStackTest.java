package org.e2echat.infra.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.e2echat.infra.FreePorts;
import org.e2echat.infra.stack.StackProcess.State;
import org.e2echat.infra.stack.Supervisor.Backoff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack's programmatic API on the one part this module can run alone: the infra process. */
class LocalStackTest {

    @TempDir
    Path dir;

    @Test
    void aKilledInfraProcessComesBackOnItsPortsWithItsData() throws Exception {
        StackOptions options = StackOptions.defaults(dir).withFreePorts().withInfraOnly(true)
                .withDataDir(dir.resolve("data")).withLogDir(dir.resolve("logs"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LocalStack stack = new LocalStack(options, new PrintStream(printed, true, StandardCharsets.UTF_8),
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1)));
        int mongoPort;
        try (stack) {
            stack.startAll();
            String mongoUrl = stack.mongoUrl();
            mongoPort = Integer.parseInt(mongoUrl.substring(mongoUrl.lastIndexOf(':') + 1));
            List<StackProcess> before = stack.processes();
            assertEquals(1, before.size(), before.toString());
            StackProcess infra = before.get(0);
            assertEquals("infra", infra.name());
            assertEquals(State.UP, infra.state());
            assertEquals(mongoPort, infra.port());
            assertTrue(infra.pid() > 0);
            try (MongoClient client = MongoClients.create(mongoUrl)) {
                client.getDatabase("probe").getCollection("docs").insertOne(new Document("_id", "kept"));
            }

            stack.kill("infra");
            stack.awaitAllUp(Duration.ofSeconds(90));

            // the broker alone goes away and comes back; the store keeps answering meanwhile
            stack.stopBroker(Duration.ofSeconds(60));
            try (MongoClient client = MongoClients.create(mongoUrl)) {
                assertNotNull(client.getDatabase("probe").getCollection("docs").find(new Document("_id", "kept"))
                        .first(), "the store answers while the broker is down");
            }
            stack.startBroker(Duration.ofSeconds(60));

            StackProcess after = stack.processes().get(0);
            assertNotEquals(infra.pid(), after.pid(), "a new process");
            assertEquals(1, after.restarts());
            assertEquals(mongoUrl, stack.mongoUrl(), "same ports, so running services need no new configuration");
            try (MongoClient client = MongoClients.create(mongoUrl)) {
                assertNotNull(client.getDatabase("probe").getCollection("docs").find(new Document("_id", "kept"))
                        .first(), "the file-backed store kept what was written before the kill");
            }
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("[stack] infra (pid ") && output.contains("exited with code 137"), output);
        assertTrue(output.contains("[stack] infra is back"), output);
        assertTrue(output.contains("[stack] stopped"), output);
        assertTrue(FreePorts.isFree(mongoPort), "MongoDB port released on close");
    }
}
