package org.e2echat.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Accounting for one step: every message sent with its intended send time and room, every frame
 * received by which member. Latency is measured from the intended send time (open loop: a late
 * send counts against the system, no coordinated omission). A member who gets a message twice is
 * a duplicate, a frame at a connection outside the message's room is a misroute, and a member
 * still missing a message when the step has drained is a loss.
 */
public final class Tracker {

    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(5);

    /** One message in flight: which room it went to and which members already have it (a bit each). */
    private record Sent(long intendedNanos, int room, AtomicInteger received) {
    }

    private final int roomSize;
    private final int fullMask;
    private final Map<String, Sent> inFlight = new ConcurrentHashMap<>();
    private final Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
    private final Histogram total = new Histogram(MAX_LATENCY_MICROS, 3);
    private final LongAdder sent = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder completed = new LongAdder();

    public Tracker(int roomSize) {
        this.roomSize = roomSize;
        this.fullMask = (1 << roomSize) - 1;
    }

    /** Called before the message leaves, so that a fast frame never arrives before its record. */
    public void sending(String key, long intendedNanos, int room) {
        inFlight.put(key, new Sent(intendedNanos, room, new AtomicInteger()));
        sent.increment();
    }

    /** The send was refused or failed: its deliveries will never come and count as lost. */
    public void sendFailed(String key) {
        sendFailures.increment();
    }

    /** A {@code message} frame for {@code key} reached the connection of user {@code userIndex}. */
    public void received(String key, int userIndex, long nowNanos) {
        Sent s = inFlight.get(key);
        if (s == null) {
            unknown.increment();
            return;
        }
        if (userIndex / roomSize != s.room) {
            misrouted.increment();
            return;
        }
        int bit = 1 << (userIndex % roomSize);
        int before = s.received.getAndUpdate(m -> m | bit);
        if ((before & bit) != 0) {
            duplicates.increment();
            return;
        }
        delivered.increment();
        latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, (nowNanos - s.intendedNanos) / 1000)));
        if ((before | bit) == fullMask) {
            completed.increment();
        }
    }

    public long sent() {
        return sent.sum();
    }

    public long delivered() {
        return delivered.sum();
    }

    /** Deliveries still owed (for the drain after a step). */
    public long outstanding() {
        return sent.sum() * roomSize - delivered.sum();
    }

    /** Latencies recorded since the last call (for progress lines), in microseconds. */
    public synchronized Histogram interval() {
        Histogram h = latency.getIntervalHistogram();
        total.add(h);
        return h;
    }

    /** The figures of the step, once it has drained (or given up draining). */
    public synchronized Result result() {
        total.add(latency.getIntervalHistogram());
        long owed = 0;
        for (Sent s : inFlight.values()) {
            owed += roomSize - Integer.bitCount(s.received.get());
        }
        return new Result(sent.sum(), sent.sum() * roomSize, delivered.sum(), owed, duplicates.sum(),
                misrouted.sum(), unknown.sum(), sendFailures.sum(), total.copy());
    }

    /** What one step measured; latencies in microseconds. */
    public record Result(long sent, long expected, long delivered, long lost, long duplicates, long misrouted,
            long unknown, long sendFailures, Histogram latency) {

        public double percentileMillis(double p) {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(p) / 1000.0;
        }

        public double maxMillis() {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0;
        }

        /** Nothing lost, duplicated, misrouted or refused. */
        public boolean clean() {
            return lost == 0 && duplicates == 0 && misrouted == 0 && sendFailures == 0 && unknown == 0;
        }
    }
}
