package org.e2echat.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.e2echat.contracts.frames.Frames;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each frame record and its schema definition declare the same fields. */
class FramesSchemaTest {

    @ParameterizedTest
    @CsvSource({"hello,Hello", "message,MessageFrame", "session,SessionFrame", "ack,Ack", "error,ErrorFrame",
        "pong,Pong", "send,Send"})
    void recordAndSchemaAgree(String definition, String record) throws Exception {
        JsonNode schema;
        try (InputStream in = getClass().getResourceAsStream("/schemas/frames.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        Set<String> declared = new TreeSet<>();
        schema.get("$defs").get(definition).get("properties").fieldNames().forEachRemaining(declared::add);
        Class<?> type = Class.forName(Frames.class.getName() + "$" + record);
        Set<String> components = Arrays.stream(type.getRecordComponents()).map(c -> c.getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(components, declared, definition);
    }
}
