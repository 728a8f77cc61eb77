package org.e2echat.message.api;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.e2echat.common.ratelimit.KeyedLimiter;
import org.e2echat.common.validation.Requests;
import org.e2echat.message.api.MessageApi.MessagePage;
import org.e2echat.message.api.MessageApi.MessageResponse;
import org.e2echat.message.api.MessageApi.SendRequest;
import org.e2echat.message.api.MessageApi.SendResponse;
import org.e2echat.message.domain.MessageService;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Sending ciphertext to a session and reading it back (catch-up and scrollback). */
@Path("/v1/sessions/{sessionId}/messages")
@Authenticated
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "unauthenticated")
public class MessageResource {

    private final MessageService messages;
    private final JsonWebToken jwt;
    private final KeyedLimiter sends;

    public MessageResource(MessageService messages, JsonWebToken jwt, KeyedLimiter sends) {
        this.messages = messages;
        this.jwt = jwt;
        this.sends = sends;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a message; idempotent per clientMessageId")
    @APIResponse(responseCode = "201", description = "Stored with the next seq")
    @APIResponse(responseCode = "200", description = "Replay: this clientMessageId was already stored with the same body")
    @APIResponse(responseCode = "400", description = "malformed-request, invalid-message, malformed-base64")
    @APIResponse(responseCode = "403", description = "sender-mismatch, membership-ended")
    @APIResponse(responseCode = "404", description = "not-found: unknown session or not a member")
    @APIResponse(responseCode = "409", description = "stale-epoch, rekey-required (currentEpoch), nonce-reused, client-message-id-reused")
    @APIResponse(responseCode = "413", description = "ciphertext-too-large")
    @APIResponse(responseCode = "422", description = "unsupported-suite, invalid-key-length (nonce or signature size)")
    @APIResponse(responseCode = "429", description = "rate-limited: too many sends by this user (Retry-After)")
    @APIResponse(responseCode = "503", description = "dependency-unavailable, busy (with Retry-After)")
    public Uni<Response> send(@PathParam("sessionId") String sessionId, SendRequest request) {
        sends.check(jwt.getSubject(), "Too many messages sent.");
        return messages.send(jwt.getSubject(), jwt.getRawToken(), Requests.id(sessionId, "No such session."),
                Requests.body(request).toSend())
                .map(sent -> Response.status(sent.replay() ? 200 : 201).entity(SendResponse.of(sent.message())).build());
    }

    @GET
    @Operation(summary = "Messages in seq order: after=N ascending (catch-up, the default from 0), before=N descending (scrollback)")
    @APIResponse(responseCode = "400", description = "invalid-paging")
    @APIResponse(responseCode = "404", description = "not-found: unknown session or never a member")
    public Uni<MessagePage> page(@PathParam("sessionId") String sessionId, @QueryParam("after") String after,
            @QueryParam("before") String before, @QueryParam("limit") String limit) {
        String id = Requests.id(sessionId, "No such session.");
        Long afterSeq = Requests.longParam(after, "after", "invalid-paging");
        Long beforeSeq = Requests.longParam(before, "before", "invalid-paging");
        Integer size = Requests.intParam(limit, "limit", "invalid-paging");
        return messages.page(jwt.getRawToken(), id, afterSeq, beforeSeq, size).map(page -> {
            List<MessageResponse> list = page.messages().stream().map(MessageResponse::of).toList();
            Long cursor = page.hasMore() && !list.isEmpty() ? list.get(list.size() - 1).seq() : null;
            return new MessagePage(list, page.hasMore(), cursor);
        });
    }

}
