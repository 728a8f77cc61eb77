package org.e2echat.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.e2echat.contracts.events.EventEnvelope;
import org.e2echat.contracts.events.UserEvents;
import org.junit.jupiter.api.Test;

class EventEnvelopeSchemaTest {

    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void schemaRequiresExactlyTheRecordComponents() throws Exception {
        JsonNode schema = schema("event-envelope");
        Set<String> required = StreamSupport.stream(schema.get("required").spliterator(), false)
                .map(JsonNode::asText)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> components = Arrays.stream(EventEnvelope.class.getRecordComponents())
                .map(c -> c.getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(components, required);
    }

    @Test
    void serialisedEnvelopeHasTheSchemaFieldsAndIsoTime() throws Exception {
        JsonNode node = json.valueToTree(EventEnvelope.of("UserDeleted", 1, Map.of("userId", "u1")));
        Set<String> fields = new TreeSet<>();
        node.fieldNames().forEachRemaining(fields::add);
        Set<String> declared = new TreeSet<>();
        schema("event-envelope").get("properties").fieldNames().forEachRemaining(declared::add);
        assertEquals(declared, fields);
        assertEquals('Z', node.get("occurredAt").asText().charAt(node.get("occurredAt").asText().length() - 1));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(classes = {
        org.e2echat.contracts.events.UserEvents.UserRegistered.class,
        org.e2echat.contracts.events.UserEvents.UserKeyRotated.class,
        org.e2echat.contracts.events.UserEvents.UserKeyRevoked.class,
        org.e2echat.contracts.events.UserEvents.UserKeyExpired.class,
        org.e2echat.contracts.events.UserEvents.UserDeleted.class,
        org.e2echat.contracts.events.UserEvents.UserStateRestated.class,
        org.e2echat.contracts.events.UserEvents.UserState.class,
        org.e2echat.contracts.events.SessionEvents.SessionCreated.class,
        org.e2echat.contracts.events.SessionEvents.MembersAdded.class,
        org.e2echat.contracts.events.SessionEvents.MemberRemoved.class,
        org.e2echat.contracts.events.SessionEvents.SessionKeyRotated.class,
        org.e2echat.contracts.events.SessionEvents.RekeyRequired.class,
        org.e2echat.contracts.events.MessageEvents.MessageStored.class})
    void eachPayloadSchemaDeclaresExactlyTheRecordComponents(Class<?> payload) throws Exception {
        String file = payload.getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
        JsonNode schema = schema(file);
        Set<String> declared = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(declared::add);
        Set<String> components = Arrays.stream(payload.getRecordComponents())
                .map(c -> c.getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(components, declared, file);
        for (JsonNode required : schema.get("required")) {
            assertEquals(true, components.contains(required.asText()), required.asText());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(classes = {
        UserEvents.UserRegistered.class,
        UserEvents.UserKeyRotated.class,
        UserEvents.UserKeyRevoked.class,
        UserEvents.UserKeyExpired.class,
        UserEvents.UserDeleted.class,
        UserEvents.UserStateRestated.class})
    void everyUserEventRequiresTheUsersStateAfterTheChange(Class<?> payload) throws Exception {
        String file = payload.getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
        JsonNode schema = schema(file);
        assertEquals("urn:e2echat:schema:user-state", schema.path("properties").path("state").path("$ref").asText(), file);
        assertEquals(true, StreamSupport.stream(schema.get("required").spliterator(), false)
                .anyMatch(r -> r.asText().equals("state")), file);
        assertEquals(true, schema.get("title").asText().contains("version " + UserEvents.VERSION), file);
    }

    @Test
    void theShortFormsOfRegistrationAndDeletionStateTheirKnownRevision() {
        JsonNode registered = json.valueToTree(new UserEvents.UserRegistered("u1", "ann", "Ann", 1, "00".repeat(32)));
        assertEquals(UserEvents.UserState.FIRST_REVISION, registered.at("/state/revision").asLong());
        assertEquals(1, registered.at("/state/currentKeyVersion").asInt());
        assertEquals(false, registered.at("/state/deleted").asBoolean());
        assertEquals("Ann", registered.at("/state/displayName").asText());

        JsonNode deleted = json.valueToTree(new UserEvents.UserDeleted("u1", "ann", "Ann", java.time.Instant.now()));
        assertEquals(Long.MAX_VALUE, deleted.at("/state/revision").asLong());
        assertEquals(true, deleted.at("/state/deleted").asBoolean());
        assertEquals(true, deleted.at("/state/currentKeyVersion").isNull());
    }

    @Test
    void userStateReadsBackFromItsJson() throws Exception {
        UserEvents.UserState state = new UserEvents.UserState("ann", "Ann", false, 3, 7);
        assertEquals(state, json.treeToValue(json.valueToTree(state), UserEvents.UserState.class));
        UserEvents.UserState expiring = new UserEvents.UserState("ann", "Ann", false, 3,
                java.time.Instant.parse("2027-01-01T00:00:00Z"), 8);
        assertEquals(expiring, json.treeToValue(json.valueToTree(expiring), UserEvents.UserState.class));
    }

    @Test
    void chatUsersIsCompactedForeverWhileTheOtherTopicsExpire() {
        assertEquals(Map.of("cleanup.policy", "compact"), Topic.USERS.configs(),
                "the last record per user must survive however old it is");
        assertEquals("604800000", Topic.MESSAGES.configs().get("retention.ms"));
        assertEquals("604800000", Topic.SESSIONS.configs().get("retention.ms"));
    }

    @Test
    void rejectsVersionZero() {
        assertThrows(IllegalArgumentException.class, () -> EventEnvelope.of("UserDeleted", 0, Map.of()));
    }

    @Test
    void topicsHaveDistinctNamesAndExplicitPartitions() {
        assertEquals(Topic.ALL.size(), Topic.ALL.stream().map(Topic::name).distinct().count());
        Topic.ALL.forEach(t -> assertEquals(true, t.partitions() >= 1, t.name()));
        assertThrows(IllegalArgumentException.class, () -> new Topic("x", 0, "k", Map.of()));
    }

    private JsonNode schema(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/schemas/" + name + ".schema.json")) {
            return json.readTree(in);
        }
    }
}
