package org.e2echat.bench;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Sends at a fixed rate by schedule: message i is due at {@code start + i / rate}, and its latency
 * is measured from that intended time. When the sender falls behind (the system pushes back), it
 * sends the overdue messages at once instead of waiting, so the backlog shows up in the latency
 * instead of being hidden (no coordinated omission). Prints a progress line every second.
 */
public final class OpenLoop {

    /** What one scheduled send does; {@code intendedNanos} is the due time on {@link System#nanoTime()}. */
    public interface Send {
        void send(long index, long intendedNanos);
    }

    private OpenLoop() {
    }

    /** Runs {@code send} at {@code rate} per second for {@code seconds}; returns how many were sent. */
    public static long run(double rate, double seconds, Send send, Consumer<Long> everySecond, Watchdog watchdog) {
        long period = (long) (1e9 / rate);
        long count = (long) (rate * seconds);
        long start = System.nanoTime() + 1_000_000;
        long nextTick = start + 1_000_000_000L;
        long second = 0;
        for (long i = 0; i < count; i++) {
            long due = start + i * period;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
            }
            send.send(i, due);
            if (now > nextTick) {
                watchdog.check();
                everySecond.accept(++second);
                nextTick += 1_000_000_000L;
            }
        }
        return count;
    }
}
