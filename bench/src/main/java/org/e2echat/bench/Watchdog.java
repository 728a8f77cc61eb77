package org.e2echat.bench;

import java.time.Duration;

/**
 * Ends a run that takes longer than it may: after the deadline every {@link #check()} throws, so
 * the scenario stops where it is, the report is written with what was measured and the stack is
 * stopped. A stuck server therefore costs at most the deadline, never a hung terminal or CI job.
 */
public final class Watchdog {

    /** Thrown by {@link #check()} once the deadline has passed. */
    public static final class Expired extends RuntimeException {
        Expired(String message) {
            super(message, null, false, false);
        }
    }

    private final long deadlineNanos;
    private final Duration limit;

    public Watchdog(Duration limit) {
        this.limit = limit;
        this.deadlineNanos = System.nanoTime() + limit.toNanos();
    }

    public void check() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new Expired("the watchdog ended the run after " + limit.toMinutes() + " min");
        }
    }

    /** Sleeps up to {@code millis}, checking the deadline. */
    public void sleep(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            check();
            Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }
}
