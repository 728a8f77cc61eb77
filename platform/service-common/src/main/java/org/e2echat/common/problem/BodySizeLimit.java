package org.e2echat.common.problem;

import jakarta.ws.rs.container.ContainerRequestContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses declared-oversized bodies with a 413 problem before anything reads them. The HTTP
 * layer's own limit ({@code quarkus.http.limits.max-body-size}) is set higher and stays as a
 * backstop for chunked bodies, which it cuts off with a bare 413.
 */
public class BodySizeLimit {

    @ConfigProperty(name = "e2echat.http.max-body-bytes", defaultValue = "262144")
    long maxBodyBytes;

    @ServerRequestFilter(preMatching = true)
    public void checkDeclaredLength(ContainerRequestContext request) {
        String declared = request.getHeaderString("Content-Length");
        if (declared == null) {
            return;
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("bad-request", "Content-Length is not a number.");
        }
        if (length > maxBodyBytes) {
            throw new ProblemException(413, "payload-too-large", "Payload too large",
                    "The body is " + length + " bytes; the limit is " + maxBodyBytes + " bytes.");
        }
    }
}
