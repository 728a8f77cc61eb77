package org.e2echat.testsupport;

import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A protected endpoint that exists only on test classpaths, so every service's tests can prove
 * its token verification (keys, algorithm, iss, aud, expiry and skew) before it has endpoints of
 * its own.
 */
@Path("/test-support/whoami")
public class TokenProbeResource {

    private final JsonWebToken jwt;

    public TokenProbeResource(JsonWebToken jwt) {
        this.jwt = jwt;
    }

    @GET
    @Authenticated
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> whoami() {
        return Map.of("sub", jwt.getSubject(), "upn", jwt.getName());
    }
}
