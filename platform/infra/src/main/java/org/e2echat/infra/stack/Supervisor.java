package org.e2echat.infra.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.e2echat.infra.stack.StackProcess.State;

/**
 * Keeps the local stack's processes running, as Kubernetes does for pods: a process that exits is
 * started again after a delay that doubles while it keeps crashing, so one dead process never
 * takes the stack down and one that cannot start does not spin. Prints one line per exit and per
 * return.
 */
final class Supervisor {

    /**
     * The delay before a restart: {@code initial}, doubled after each further exit up to
     * {@code max}, and back to {@code initial} once a process has stayed up for {@code resetAfter}.
     */
    record Backoff(Duration initial, Duration max, Duration resetAfter) {

        static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1));

        Duration after(Duration previous) {
            Duration doubled = previous.multipliedBy(2);
            return doubled.compareTo(max) > 0 ? max : doubled;
        }
    }

    /** Starts one process; called again for every restart. */
    @FunctionalInterface
    interface Launcher {
        Started launch() throws IOException;
    }

    /** Returns once the process serves; throws if it cannot, or once {@code cancelled} turns true. */
    @FunctionalInterface
    interface ReadyCheck {
        void await(BooleanSupplier cancelled) throws InterruptedException;
    }

    /** A launched process and how to tell that it is ready. */
    record Started(Process process, ReadyCheck ready) {
    }

    private final Backoff backoff;
    private final PrintStream out;

    Supervisor(Backoff backoff, PrintStream out) {
        this.backoff = backoff;
        this.out = out;
    }

    /**
     * Launches {@code name} now, on a thread of its own, and keeps it running until
     * {@link Supervised#requestStop()}. If the very first launch fails, it is not retried:
     * {@link Supervised#firstStart()} fails instead (a first failure is a problem to report, such
     * as a missing jar or a port in use, not a crash).
     *
     * @param exitNote added to the line printed when it exits, e.g. that its data is gone
     */
    Supervised supervise(String name, Path log, String exitNote, Launcher launcher) {
        Supervised supervised = new Supervised(name, log, exitNote, launcher);
        Thread thread = new Thread(supervised::run, "supervise-" + name);
        thread.setDaemon(true);
        supervised.thread = thread;
        thread.start();
        return supervised;
    }

    /** One supervised process: its restart loop and what it currently is. */
    final class Supervised {

        private final String name;
        private final Path log;
        private final String exitNote;
        private final Launcher launcher;
        private final CompletableFuture<Void> firstStart = new CompletableFuture<>();
        private final CountDownLatch stopRequested = new CountDownLatch(1);
        private Thread thread;

        // guarded by this
        private State state = State.STARTING;
        private Process process;
        private int restarts;
        private boolean stopping;

        private Supervised(String name, Path log, String exitNote, Launcher launcher) {
            this.name = name;
            this.log = log;
            this.exitNote = exitNote;
            this.launcher = launcher;
        }

        String name() {
            return name;
        }

        Path log() {
            return log;
        }

        /** Completes when the process is ready for the first time; fails if it never gets there. */
        CompletableFuture<Void> firstStart() {
            return firstStart;
        }

        synchronized State state() {
            return state;
        }

        synchronized int restarts() {
            return restarts;
        }

        /** The process while it is starting or up; {@code null} while there is none. */
        synchronized Process process() {
            return process;
        }

        private synchronized boolean stopping() {
            return stopping;
        }

        private void run() {
            Duration delay = backoff.initial();
            boolean first = true;
            while (true) {
                long launched = System.nanoTime();
                Process started = null;
                try {
                    Started launch = launcher.launch();
                    started = launch.process();
                    if (!adopt(started)) {
                        stopNow(started);
                        return;
                    }
                    launch.ready().await(this::stopping);
                } catch (IOException | RuntimeException | InterruptedException e) {
                    if (started != null) {
                        stopNow(started);
                    }
                    boolean stopped = e instanceof InterruptedException || stopping();
                    if (first && !stopped) {
                        firstStart.completeExceptionally(e);
                    }
                    if (first || stopped) {
                        finish();
                        return;
                    }
                    exited();
                    out.printf("[stack] %s did not come back: %s; retrying in %s (log: %s)%n", name,
                            firstLine(e.getMessage()), describe(delay), log);
                    if (!pause(delay)) {
                        return;
                    }
                    delay = backoff.after(delay);
                    continue;
                }
                long upSince = System.nanoTime();
                if (!first) {
                    // before UP, so that whoever waits for UP finds the line printed
                    out.printf("[stack] %s is back (pid %d), ready in %.1f s%n", name, started.pid(),
                            (upSince - launched) / 1e9);
                }
                setState(State.UP);
                if (first) {
                    first = false;
                    firstStart.complete(null);
                }
                int code;
                try {
                    code = started.waitFor();
                } catch (InterruptedException e) {
                    finish();
                    return;
                }
                if (stopping()) {
                    finish();
                    return;
                }
                Duration up = Duration.ofNanos(System.nanoTime() - upSince);
                if (up.compareTo(backoff.resetAfter()) >= 0) {
                    delay = backoff.initial();
                }
                exited();
                out.printf("[stack] %s (pid %d) exited with code %d after %.1f s%s; restarting in %s (log: %s)%n", name,
                        started.pid(), code, up.toMillis() / 1e3, exitNote, describe(delay), log);
                if (!pause(delay)) {
                    return;
                }
                delay = backoff.after(delay);
            }
        }

        /** Waits out a backoff delay; false (and finished) if a stop came meanwhile. */
        private boolean pause(Duration delay) {
            try {
                if (stopRequested.await(delay.toMillis(), TimeUnit.MILLISECONDS) || stopping()) {
                    finish();
                    return false;
                }
            } catch (InterruptedException e) {
                finish();
                return false;
            }
            synchronized (this) {
                restarts++;
                state = State.STARTING;
            }
            return true;
        }

        /** Takes on a freshly launched process, unless a stop came while it was launching. */
        private synchronized boolean adopt(Process started) {
            if (stopping) {
                return false;
            }
            process = started;
            state = State.STARTING;
            return true;
        }

        private synchronized void exited() {
            state = State.RESTARTING;
            process = null;
            notifyAll();
        }

        private synchronized void setState(State next) {
            state = next;
            notifyAll();
        }

        private void finish() {
            synchronized (this) {
                state = State.STOPPED;
                notifyAll();
            }
            firstStart.completeExceptionally(new IllegalStateException(name + " was stopped"));
        }

        /**
         * SIGKILL, as a crash would; returns once the supervisor has seen the exit (the state is no
         * longer {@code UP} for that process), so a following {@link #awaitUp} waits for the restart.
         */
        void kill() throws InterruptedException {
            Process victim;
            synchronized (this) {
                victim = process;
                if (victim == null || state == State.STOPPED) {
                    throw new IllegalStateException(name + " is not running (" + state + ")");
                }
            }
            victim.destroyForcibly();
            victim.waitFor();
            synchronized (this) {
                while (process == victim && (state == State.UP || state == State.STARTING)) {
                    wait();
                }
            }
        }

        /** Waits until it is {@code UP}; false if the timeout passed or it was stopped first. */
        synchronized boolean awaitUp(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (state != State.UP && state != State.STOPPED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return state == State.UP;
        }

        /** No more restarts; the current process gets SIGTERM. Returns at once; see {@link #awaitStopped}. */
        void requestStop() {
            Process current;
            synchronized (this) {
                stopping = true;
                current = process;
            }
            stopRequested.countDown();
            if (current != null) {
                current.destroy();
            }
        }

        /** After {@link #requestStop()}: waits for the process (SIGKILL after a grace period) and the loop. */
        void awaitStopped() {
            Process current;
            synchronized (this) {
                current = process;
            }
            if (current != null) {
                ServiceProcess.awaitOrKill(current);
            }
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void stopNow(Process process) {
            process.destroy();
            ServiceProcess.awaitOrKill(process);
        }
    }

    /** One line per event on the console; the log has the rest (a failed readiness check quotes its tail). */
    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    /** "1 s", "250 ms": how delays are printed. */
    static String describe(Duration delay) {
        long millis = delay.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
