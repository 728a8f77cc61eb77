package org.e2echat.common.problem;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.e2echat.common.validation.Requests;
import jakarta.ws.rs.core.MediaType;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClients;
import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.e2echat.infra.FreePorts;

/** Test-only endpoints that fail in each way the shared mapper must handle. */
@Path("/problem-probe")
public class ProblemProbeResource {

    public record Body(String name, int count) {
    }

    /** A record with a boxed integer and a timestamp, like key uploads and sends. */
    public record Stamped(String name, Long version, Instant at) {
    }

    @GET
    @Path("/conflict")
    public String conflict() {
        throw new ProblemException(409, "stale-epoch", "Stale epoch", "Epoch 3 is not current.",
                Map.of("currentEpoch", 4), Map.of());
    }

    @GET
    @Path("/limited")
    public String limited() {
        throw new ProblemException(429, "rate-limited", "Too many requests", "Slow down.",
                Map.of(), Map.of("Retry-After", "7"));
    }

    @GET
    @Path("/crash")
    public String crash() {
        throw new IllegalStateException("secret internal detail");
    }

    /** A real driver against a port nobody listens on: the store is down. */
    @GET
    @Path("/store-down")
    public Uni<String> storeDown() {
        return unreachableStore();
    }

    /** The same failure wrapped the way asynchronous stages wrap it. */
    @GET
    @Path("/store-down-wrapped")
    public Uni<String> storeDownWrapped() {
        return unreachableStore().onFailure().transform(CompletionException::new);
    }

    private static Uni<String> unreachableStore() {
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + FreePorts.find()))
                .applyToClusterSettings(c -> c.serverSelectionTimeout(300, TimeUnit.MILLISECONDS)).build();
        ReactiveMongoClientImpl client = new ReactiveMongoClientImpl(MongoClients.create(settings));
        return client.getDatabase("probe").getCollection("probe").find().collect().first()
                .map(d -> "found").eventually(client::close);
    }

    @GET
    @Path("/items/{id}")
    public String item(@PathParam("id") int id) {
        return "item " + id;
    }

    @POST
    @Path("/body")
    @Consumes(MediaType.APPLICATION_JSON)
    public String body(Body body) {
        return body.name() + body.count();
    }

    @POST
    @Path("/stamped")
    @Consumes(MediaType.APPLICATION_JSON)
    public String stamped(Stamped body) {
        return body.name() + " " + body.version() + " " + body.at();
    }

    @GET
    @Path("/page")
    public String page(@QueryParam("after") String after) {
        return "after " + Requests.longParam(after, "after", "invalid-paging");
    }

    /** What Jackson throws when a record's creator meets a parse failure (a duplicate key). */
    @GET
    @Path("/definition-over-parse")
    public String definitionOverParse() throws java.io.IOException {
        var e = com.fasterxml.jackson.databind.exc.InvalidDefinitionException.from(
                (com.fasterxml.jackson.core.JsonParser) null, "Cannot construct instance", (com.fasterxml.jackson.databind.JavaType) null);
        e.initCause(new com.fasterxml.jackson.core.JsonParseException(null, "Duplicate field 'name'"));
        throw e;
    }

    /** A definition error with no bad input under it is a bug in the code. */
    @GET
    @Path("/definition-bug")
    public String definitionBug() throws java.io.IOException {
        throw com.fasterxml.jackson.databind.exc.InvalidDefinitionException.from(
                (com.fasterxml.jackson.core.JsonParser) null, "No creator", (com.fasterxml.jackson.databind.JavaType) null);
    }
}
