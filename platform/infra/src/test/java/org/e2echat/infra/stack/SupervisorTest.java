package org.e2echat.infra.stack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.e2echat.infra.stack.StackProcess.State;
import org.e2echat.infra.stack.Supervisor.Backoff;
import org.e2echat.infra.stack.Supervisor.Started;
import org.e2echat.infra.stack.Supervisor.Supervised;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupervisorTest {

    private static final Duration UP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern RESTARTING_IN = Pattern.compile("restarting in (\\d+ m?s)");

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    private final List<Supervised> supervised = new ArrayList<>();

    @AfterEach
    void stopAll() {
        supervised.forEach(Supervised::requestStop);
        supervised.forEach(Supervised::awaitStopped);
    }

    @Test
    void restartsAProcessThatKeepsExitingWithDoublingDelaysUpToTheMaximum() {
        Supervised crasher = supervise(new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofMinutes(1)),
                "crasher", () -> new Started(TestChild.start("exit", "3"), cancelled -> { }));

        await().atMost(UP_TIMEOUT).until(() -> delaysPrinted().size() >= 4);

        assertEquals(List.of("100 ms", "200 ms", "400 ms", "400 ms"), delaysPrinted().subList(0, 4));
        assertTrue(output().contains("[stack] crasher (pid "), output());
        assertTrue(output().contains("exited with code 3"), output());
        assertTrue(crasher.restarts() >= 3, "restarted " + crasher.restarts() + " times");
    }

    @Test
    void aKilledProcessIsStartedAgainAndTheDelayResetsOnceItHasStayedUp() throws Exception {
        // resetAfter 0: every process has stayed up long enough, so every delay is the first one
        Supervised child = supervise(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ZERO),
                "child", () -> new Started(TestChild.start("wait"), cancelled -> { }));
        assertTrue(child.awaitUp(UP_TIMEOUT));

        for (int kill = 1; kill <= 2; kill++) {
            long pid = child.process().pid();
            child.kill();
            assertTrue(child.awaitUp(UP_TIMEOUT), "not restarted after kill " + kill);
            assertNotEquals(pid, child.process().pid(), "a new process");
            assertEquals(kill, child.restarts());
        }
        assertEquals(List.of("100 ms", "100 ms"), delaysPrinted());
        assertTrue(output().contains("exited with code 137 after"), output());
        assertTrue(output().contains("[stack] child is back (pid " + child.process().pid() + ")"), output());
    }

    @Test
    void aProcessThatCannotStartTheFirstTimeIsReportedNotRetried() {
        Supervised broken = supervise(Backoff.DEFAULT, "broken", () -> {
            throw new IOException("no such program");
        });

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> broken.firstStart().get(30, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failure.getCause());
        await().atMost(UP_TIMEOUT).until(() -> broken.state() == State.STOPPED);
        assertEquals(0, broken.restarts());
        assertFalse(output().contains("restarting"), output());
    }

    @Test
    void aFailedRestartIsRetriedWithBackoff() throws Exception {
        int[] launches = {0};
        Supervised flaky = supervise(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(1)),
                "flaky", () -> {
                    if (++launches[0] == 2) {
                        throw new IOException("port in use");
                    }
                    return new Started(TestChild.start("wait"), cancelled -> { });
                });
        assertTrue(flaky.awaitUp(UP_TIMEOUT));

        flaky.kill();

        assertTrue(flaky.awaitUp(UP_TIMEOUT), "up again after one failed restart");
        assertTrue(output().contains("[stack] flaky did not come back: port in use; retrying in 100 ms (log: "),
                output());
        assertEquals(List.of("50 ms"), delaysPrinted());
        assertEquals(2, flaky.restarts());
    }

    @Test
    void aStoppedProcessIsNotRestarted() throws Exception {
        Supervised child = supervise(new Backoff(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ZERO),
                "child", () -> new Started(TestChild.start("wait"), cancelled -> { }));
        assertTrue(child.awaitUp(UP_TIMEOUT));
        Process process = child.process();

        child.requestStop();
        child.awaitStopped();

        assertFalse(process.isAlive());
        assertEquals(State.STOPPED, child.state());
        assertEquals(0, child.restarts());
        assertFalse(output().contains("exited"), output());
    }

    private Supervised supervise(Backoff backoff, String name, Supervisor.Launcher launcher) {
        Supervised s = new Supervisor(backoff, out).supervise(name, Path.of(name + ".log"), "", launcher);
        supervised.add(s);
        return s;
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    private List<String> delaysPrinted() {
        List<String> delays = new ArrayList<>();
        for (String line : output().split("\n")) {
            Matcher m = RESTARTING_IN.matcher(line);
            if (m.find()) {
                delays.add(m.group(1));
            }
        }
        return delays;
    }
}
