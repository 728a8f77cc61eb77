package org.e2echat.session.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.time.Duration;
import org.e2echat.common.outbox.EventJson;
import org.e2echat.contracts.events.SessionEvents;
import org.e2echat.session.domain.SessionService;
import org.e2echat.session.domain.Stores;
import org.e2echat.session.events.SessionEventPublisher;
import org.e2echat.session.persistence.EnvelopeMongoRepository;
import org.e2echat.session.persistence.SessionMongoRepository;

/** Builds the domain service from configuration and creates the indexes at startup. */
@ApplicationScoped
public class SessionServiceWiring {

    @Produces
    @ApplicationScoped
    SessionService sessionService(Stores.SessionStore sessions, Stores.EnvelopeStore envelopes,
            Stores.UserDirectory users, EventJson json, SessionEventPublisher publisher, SessionServiceConfig config) {
        return new SessionService(sessions, envelopes, users,
                (type, payload) -> json.encode(type, SessionEvents.VERSION, payload), publisher::wake,
                new SessionService.Policy(config.policy().maxEpochAge(), config.policy().maxMessagesPerEpoch(),
                        config.maxMembers()),
                Clock.systemUTC());
    }

    void createIndexes(@Observes StartupEvent event, SessionMongoRepository sessions, EnvelopeMongoRepository envelopes) {
        sessions.createIndexes().await().atMost(Duration.ofSeconds(30));
        envelopes.createIndexes().await().atMost(Duration.ofSeconds(30));
    }
}
