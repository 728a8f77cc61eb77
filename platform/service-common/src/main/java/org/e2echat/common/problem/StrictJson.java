package org.e2echat.common.problem;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies must have exactly the declared shape: no unknown fields (so no "$"-operators or
 * dotted keys slip through), no duplicate keys, no numbers or booleans where text is expected and
 * vice versa, no fractions where an integer is expected, no trailing tokens, and timestamps only
 * within {@link #EARLIEST}..{@link #LATEST}. Anything else is a 400 problem.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** The earliest timestamp a request may carry. */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    /** The latest timestamp a request may carry (well inside what a BSON date can hold). */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /** Runs last, so its {@link Instant} deserializer overrides the default one. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        // a duplicate key is ambiguous (which value wins differs between parsers), so refuse it
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.registerModule(new SimpleModule("e2echat-strict-instant")
                .addDeserializer(Instant.class, new BoundedInstantDeserializer()));
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        for (CoercionInputShape shape : new CoercionInputShape[] {
            CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (LogicalType number : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(number).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
    }

    /** The standard ISO-8601 parsing, then a range check: far-future dates overflow the store. */
    static final class BoundedInstantDeserializer extends JsonDeserializer<Instant> {

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Instant value = InstantDeserializer.INSTANT.deserialize(p, ctxt);
            if (value != null && (value.isBefore(EARLIEST) || value.isAfter(LATEST))) {
                throw InvalidFormatException.from(p, "Timestamp out of range", p.getText(), Instant.class);
            }
            return value;
        }

        @Override
        public Class<?> handledType() {
            return Instant.class;
        }
    }
}
