package org.e2echat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What CI runs of the benchmark: a short smoke of every scenario against the packaged stack.
 * It asserts that nothing was lost, duplicated or misrouted and that the report is complete and
 * valid — never a speed figure, which on a shared machine would only make CI flaky.
 */
class BenchSmokeIT {

    @Test
    void everyScenarioDeliversEverythingAndWritesItsReport() throws Exception {
        Path root = Path.of(System.getProperty("e2echat.root", "..")).toAbsolutePath().normalize();
        Bench.Options options = Bench.Options.parse(new String[] {"all", "--smoke"}, root);
        Bench.Outcome outcome = Bench.run(options, root, System.out);

        assertEquals(0, outcome.exitCode(), "problems: " + outcome.problems());
        JsonNode report = new ObjectMapper().readTree(outcome.reportDir().resolve("report.json").toFile());
        assertTrue(report.path("clean").asBoolean());
        JsonNode idle = report.path("scenarios").path("idle");
        assertEquals(options.connections(), idle.path("gateway").path("held").asInt());
        assertEquals(options.connections(), idle.path("baseline").path("held").asInt());
        assertTrue(idle.path("rssPerConnectionRatio").isNumber());
        for (String scenario : new String[] {"fanout", "e2e"}) {
            JsonNode steps = report.path("scenarios").path(scenario).path("steps");
            assertTrue(steps.size() >= 1, scenario + " has steps");
            for (JsonNode step : steps) {
                assertTrue(step.path("sent").asLong() > 0, scenario + " sent something");
                assertEquals(step.path("expected").asLong(), step.path("delivered").asLong(), scenario + " delivered all");
                assertEquals(0, step.path("lost").asLong());
                assertEquals(0, step.path("duplicates").asLong());
                assertEquals(0, step.path("misrouted").asLong());
                assertTrue(step.path("p99ms").isNumber());
            }
        }
        assertEquals(1, report.path("scenarios").path("fanout").path("ratios").size());
        // the history steps: sends keep working (numbered after) a store filled to each size
        JsonNode e2eSteps = report.path("scenarios").path("e2e").path("steps");
        long[] sizes = options.history();
        for (int i = 0; i < sizes.length; i++) {
            JsonNode step = e2eSteps.get(e2eSteps.size() - sizes.length + i);
            assertTrue(step.path("history").asBoolean(), "history step " + i + ": " + step);
            assertTrue(step.path("storedBefore").asLong() >= sizes[i], "stored before: " + step);
        }
        assertTrue(report.path("scenarios").path("e2e").path("historyGrowth").path("message-service").isNumber());
        String md = Files.readString(outcome.reportDir().resolve("report.md"));
        assertTrue(md.contains("### idle") && md.contains("### fanout") && md.contains("### e2e"), md);
        assertTrue(Files.readString(outcome.reportDir().resolve("fanout-latency.svg")).startsWith("<svg"));
    }
}
