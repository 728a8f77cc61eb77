package org.e2echat.message.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.time.Duration;
import org.e2echat.common.ratelimit.KeyedLimiter;
import org.e2echat.message.domain.MessageService;
import org.e2echat.message.domain.SessionAccess;
import org.e2echat.message.events.MessagePublisher;
import org.e2echat.message.persistence.MessageMongoRepository;

/** Builds the domain service from configuration and creates the indexes at startup. */
@ApplicationScoped
public class MessageServiceWiring {

    @Produces
    @ApplicationScoped
    MessageService messageService(MessageMongoRepository store, SessionAccess sessions, MessagePublisher publisher,
            MessageServiceConfig config, MeterRegistry registry) {
        Counter seqRetries = Counter.builder("e2echat_messages_seq_retries")
                .description("Sends that lost a seq to a concurrent send and numbered again").register(registry);
        return new MessageService(store, sessions, publisher::wake, seqRetries::increment, config.maxCiphertextBytes(),
                config.defaultPageSize(), config.maxPageSize(), Clock.systemUTC());
    }

    /** Sends per user ({@code MessageResource}). */
    @Produces
    @ApplicationScoped
    KeyedLimiter sendLimiter(MessageServiceConfig config) {
        return new KeyedLimiter(config.sendBurst(), config.sendWindow());
    }

    void createIndexes(@Observes StartupEvent event, MessageMongoRepository store) {
        store.createIndexes().await().atMost(Duration.ofSeconds(30));
    }
}
