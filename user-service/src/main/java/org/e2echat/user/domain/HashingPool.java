package org.e2echat.user.domain;

import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.e2echat.common.problem.ProblemException;

/**
 * Where Argon2id runs: a fixed number of threads (each hash holds about 19 MiB and a core for
 * ~150 ms, so more at once only adds memory and latency) and a short queue. When both are full the
 * request is refused at once with {@code 503 busy} and {@code Retry-After}, instead of piling up
 * memory and blocking everything else: registration storms and password guessing cost the
 * attacker retries, not the service its event loop.
 */
public final class HashingPool implements AutoCloseable {

    private final ThreadPoolExecutor executor;

    public HashingPool(int threads, int queued) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(n, n, 1, TimeUnit.MINUTES,
                queued > 0 ? new ArrayBlockingQueue<>(queued) : new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "argon2-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs {@code work} on the pool, or fails with {@code 503 busy} when the pool and its queue are full. */
    public <T> Uni<T> run(Supplier<T> work) {
        return Uni.createFrom().emitter(emitter -> {
            try {
                executor.execute(() -> {
                    T result;
                    try {
                        result = work.get();
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                        return;
                    }
                    emitter.complete(result);
                });
            } catch (RejectedExecutionException full) {
                emitter.fail(new ProblemException(503, "busy", "Busy",
                        "Too many password operations at once; try again shortly.", Map.of(), Map.of("Retry-After", "1")));
            }
        });
    }

    public int threads() {
        return executor.getMaximumPoolSize();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
