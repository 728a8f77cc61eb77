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
        org.e2echat.contracts.events.UserEvents.UserDeleted.class,
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

    @Test
    void rejectsVersionZero() {
        assertThrows(IllegalArgumentException.class, () -> EventEnvelope.of("UserDeleted", 0, Map.of()));
    }

    @Test
    void topicsHaveDistinctNamesAndExplicitPartitions() {
        assertEquals(Topic.ALL.size(), Topic.ALL.stream().map(Topic::name).distinct().count());
        Topic.ALL.forEach(t -> assertEquals(true, t.partitions() >= 1, t.name()));
        assertThrows(IllegalArgumentException.class, () -> new Topic("x", 0, "k"));
    }

    private JsonNode schema(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/schemas/" + name + ".schema.json")) {
            return json.readTree(in);
        }
    }
}
