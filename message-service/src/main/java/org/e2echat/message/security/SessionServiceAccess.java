package org.e2echat.message.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.e2echat.common.peer.PeerHttp;
import org.e2echat.message.domain.SessionAccess;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks session-service, with the caller's own token, on every call (no caching: a removal that has
 * returned must stop the very next send). Its refusals reach the client unchanged.
 */
@ApplicationScoped
public class SessionServiceAccess implements SessionAccess {

    private final PeerHttp peer;
    private final String base;

    public SessionServiceAccess(PeerHttp peer, @ConfigProperty(name = "e2echat.session-service.url") String url) {
        this.peer = peer;
        this.base = url.replaceAll("/+$", "");
    }

    @Override
    public Uni<Permission> sendPermission(String bearerToken, String sessionId, int epoch) {
        return peer.get(uri(sessionId, "/send-permission?epoch=" + epoch), bearerToken).map(reply -> {
            JsonNode b = reply.body();
            List<String> recipients = new ArrayList<>();
            b.path("recipients").forEach(n -> recipients.add(n.asText()));
            return new Permission(b.path("sessionId").asText(), b.path("senderId").asText(), b.path("epoch").asInt(),
                    b.path("senderKeyVersion").asInt(), text(b, "senderUsername"), text(b, "senderDisplayName"),
                    recipients);
        });
    }

    @Override
    public Uni<Membership> membership(String bearerToken, String sessionId) {
        return peer.get(uri(sessionId, "/access"), bearerToken).map(reply -> {
            JsonNode b = reply.body();
            return new Membership(b.path("active").asBoolean(), b.path("joinedEpoch").asInt(),
                    b.path("leftEpoch").isNumber() ? b.path("leftEpoch").asInt() : null,
                    b.path("leftSeq").isNumber() ? b.path("leftSeq").asLong() : null, b.path("currentEpoch").asInt());
        });
    }

    private URI uri(String sessionId, String rest) {
        return URI.create(base + "/v1/sessions/" + URLEncoder.encode(sessionId, StandardCharsets.UTF_8) + rest);
    }

    private static String text(JsonNode b, String field) {
        return b.path(field).isTextual() ? b.path(field).asText() : null;
    }
}
