package org.e2echat.user.events;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.e2echat.user.config.KeyExpiryConfig;
import org.e2echat.user.domain.UserService;
import org.jboss.logging.Logger;

/**
 * Turns a key reaching its {@code expiresAt} into a lifecycle event: every {@code check-interval}
 * it finds users whose current key has passed its expiry and records each expiry
 * ({@link UserService#expireDueKey}), whose {@code UserKeyExpired} event the outbox publishes.
 * Every replica runs it; the compare-and-set on the user's revision lets exactly one of them store
 * each expiry, so two replicas never announce it twice.
 */
@ApplicationScoped
public class KeyExpiryScheduler {

    private static final Logger LOG = Logger.getLogger(KeyExpiryScheduler.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int BATCH = 500;

    private final UserService users;
    private final Duration interval;
    private ScheduledExecutorService timer;

    public KeyExpiryScheduler(UserService users, KeyExpiryConfig config) {
        this.users = users;
        this.interval = config.checkInterval();
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "key-expiry"));
        timer.scheduleWithFixedDelay(this::expireDueKeys, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** One pass: records every due expiry, a batch at a time; a failure waits for the next pass. */
    int expireDueKeys() {
        int expired = 0;
        try {
            List<String> due;
            do {
                due = users.dueForExpiry(BATCH).await().atMost(TIMEOUT);
                for (String userId : due) {
                    if (users.expireDueKey(userId).await().atMost(TIMEOUT)) {
                        expired++;
                        LOG.infof("user %s: current identity key reached its expiry; UserKeyExpired recorded", userId);
                    }
                }
            } while (due.size() == BATCH);
        } catch (RuntimeException e) {
            LOG.warnf("key-expiry check failed (%s); retried at the next check", e.getClass().getSimpleName());
        }
        return expired;
    }
}
