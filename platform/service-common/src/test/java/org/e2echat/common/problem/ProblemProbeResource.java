package org.e2echat.common.problem;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** Test-only endpoints that fail in each way the shared mapper must handle. */
@Path("/problem-probe")
public class ProblemProbeResource {

    public record Body(String name, int count) {
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
}
