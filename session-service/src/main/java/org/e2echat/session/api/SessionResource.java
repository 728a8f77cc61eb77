package org.e2echat.session.api;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.common.validation.Requests;
import org.e2echat.session.api.SessionApi.AccessResponse;
import org.e2echat.session.api.SessionApi.CreateSessionRequest;
import org.e2echat.session.api.SessionApi.EnvelopeRequest;
import org.e2echat.session.api.SessionApi.EnvelopeResponse;
import org.e2echat.session.api.SessionApi.MemberRequest;
import org.e2echat.session.api.SessionApi.MemberResponse;
import org.e2echat.session.api.SessionApi.RotateRequest;
import org.e2echat.session.api.SessionApi.SendPermissionResponse;
import org.e2echat.session.api.SessionApi.SessionPage;
import org.e2echat.session.api.SessionApi.SessionResponse;
import org.e2echat.session.domain.Session;
import org.e2echat.session.domain.SessionService;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Sessions, membership, epochs and the caller's own envelopes. Every endpoint needs a bearer token. */
@Path("/v1/sessions")
@Authenticated
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "unauthenticated")
public class SessionResource {

    private final SessionService sessions;
    private final JsonWebToken jwt;

    public SessionResource(SessionService sessions, JsonWebToken jwt) {
        this.sessions = sessions;
        this.jwt = jwt;
    }

    @POST
    @Operation(summary = "Create a direct or group session with epoch-1 envelopes for every member (you included)")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "200", description = "The direct session between these two users already exists")
    @APIResponse(responseCode = "400", description = "malformed-request, invalid-session, invalid-members, invalid-envelopes, malformed-base64")
    @APIResponse(responseCode = "409", description = "recipient-mismatch (missing, extra, staleKeys), stale-sender-key, session-exists")
    @APIResponse(responseCode = "422", description = "unknown-member, member-unavailable, unsupported-suite, invalid-key-length")
    public Uni<Response> create(CreateSessionRequest request) {
        CreateSessionRequest r = Requests.body(request);
        String me = jwt.getSubject();
        if (r.sessionId() != null && !Requests.isId(r.sessionId())) {
            throw ProblemException.badRequest("invalid-session", "sessionId must be a lower-case UUID.");
        }
        return sessions.create(me, r.sessionId(), r.type(), members(r.members()), envelopes(r.envelopes()))
                .flatMap(created -> withNames(created.session()).map(body -> created.existing()
                        ? Response.ok(body).build()
                        : Response.created(URI.create("/v1/sessions/" + created.session().id())).entity(body).build()));
    }

    @GET
    @Operation(summary = "GetSessions: my sessions, most recently active first; sessions I left show as LEFT")
    @APIResponse(responseCode = "400", description = "invalid-paging")
    public Uni<SessionPage> list(@QueryParam("page") String pageParam, @QueryParam("size") String sizeParam) {
        Integer pageValue = Requests.intParam(pageParam, "page", "invalid-paging");
        Integer sizeValue = Requests.intParam(sizeParam, "size", "invalid-paging");
        int page = pageValue == null ? 0 : pageValue;
        int size = sizeValue == null ? 20 : sizeValue;
        String me = jwt.getSubject();
        return sessions.list(me, page, size).flatMap(found -> {
            List<Session> shown = found.size() > size ? found.subList(0, size) : found;
            return sessions.names(shown).map(names -> new SessionPage(
                    shown.stream().map(s -> SessionResponse.of(s, me, names)).toList(), page, size, found.size() > size));
        });
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One session (current members only)")
    @APIResponse(responseCode = "403", description = "membership-ended (with leftEpoch and leftSeq)")
    @APIResponse(responseCode = "404", description = "not-found: no such session, or you were never a member")
    public Uni<SessionResponse> get(@PathParam("id") String id) {
        return sessions.get(jwt.getSubject(), Requests.id(id, "No such session.")).flatMap(this::withNames);
    }

    @GET
    @Path("/{id}/members")
    @Operation(summary = "Current members with their join epochs (current members only)")
    @APIResponse(responseCode = "403", description = "membership-ended")
    @APIResponse(responseCode = "404", description = "not-found")
    public Uni<List<MemberResponse>> members(@PathParam("id") String id) {
        return sessions.get(jwt.getSubject(), Requests.id(id, "No such session.")).flatMap(s -> sessions.names(List.of(s))
                .map(names -> s.activeMembers().stream().map(m -> MemberResponse.of(m, names)).toList()));
    }

    @POST
    @Path("/{id}/rotations")
    @Operation(summary = "Rotate to epoch = current + 1 with envelopes for exactly the members after it; first valid rotation wins")
    @APIResponse(responseCode = "200", description = "Rotated; the session as it is now")
    @APIResponse(responseCode = "403", description = "membership-ended, forbidden (adding members needs owner/admin)")
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "409", description = "stale-epoch (currentEpoch), recipient-mismatch (currentEpoch, missing, extra, staleKeys), stale-sender-key")
    @APIResponse(responseCode = "422", description = "unknown-member, member-unavailable, unsupported-suite")
    public Uni<SessionResponse> rotate(@PathParam("id") String id, RotateRequest request) {
        RotateRequest r = Requests.body(request);
        if (r.epoch() == null) {
            throw ProblemException.badRequest("invalid-rotation", "epoch is required.");
        }
        return sessions.rotate(jwt.getSubject(), Requests.id(id, "No such session."), r.epoch(), members(r.addMembers()),
                envelopes(r.envelopes())).flatMap(this::withNames);
    }

    @DELETE
    @Path("/{id}/members/{userId}")
    @Operation(summary = "Remove a member (owners remove anyone, admins remove members); the session then requires a rekey")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "403", description = "forbidden, membership-ended")
    @APIResponse(responseCode = "404", description = "not-found")
    public Uni<Response> remove(@PathParam("id") String id, @PathParam("userId") String userId) {
        return sessions.remove(jwt.getSubject(), Requests.id(id, "No such session."), userId).map(s -> Response.noContent().build());
    }

    @POST
    @Path("/{id}/leave")
    @Operation(summary = "Leave the session; the others must rekey")
    @APIResponse(responseCode = "204", description = "Left")
    @APIResponse(responseCode = "403", description = "membership-ended")
    @APIResponse(responseCode = "404", description = "not-found")
    public Uni<Response> leave(@PathParam("id") String id) {
        return sessions.leave(jwt.getSubject(), Requests.id(id, "No such session.")).map(s -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/envelopes")
    @Operation(summary = "My own envelopes: every epoch of my membership, or one epoch")
    @APIResponse(responseCode = "400", description = "invalid-epoch: epoch is not a whole number")
    @APIResponse(responseCode = "404", description = "not-found (also: no envelope of yours for that epoch)")
    public Uni<List<EnvelopeResponse>> envelopes(@PathParam("id") String id, @QueryParam("epoch") String epochParam) {
        Integer epoch = Requests.intParam(epochParam, "epoch", "invalid-epoch");
        return sessions.envelopes(jwt.getSubject(), Requests.id(id, "No such session."), epoch)
                .map(list -> list.stream().map(EnvelopeResponse::of).toList());
    }

    @GET
    @Path("/{id}/send-permission")
    @Operation(summary = "For message-service: may I send at this epoch now, and to whom (read from the store on every call)")
    @APIResponse(responseCode = "400", description = "invalid-epoch: the epoch parameter is missing or not a whole number")
    @APIResponse(responseCode = "403", description = "membership-ended")
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "409", description = "stale-epoch or rekey-required (currentEpoch, reason; KEY_EXPIRED when the caller's own key has expired)")
    public Uni<SendPermissionResponse> sendPermission(@PathParam("id") String id, @QueryParam("epoch") String epochParam) {
        Integer epoch = Requests.intParam(epochParam, "epoch", "invalid-epoch");
        if (epoch == null) {
            throw ProblemException.badRequest("invalid-epoch", "epoch is required.");
        }
        String me = jwt.getSubject();
        return sessions.sendPermission(me, Requests.id(id, "No such session."), epoch).map(p -> new SendPermissionResponse(p.sessionId(), me,
                p.epoch(), p.senderKeyVersion(), p.sender() == null ? null : p.sender().username(),
                p.sender() == null ? null : p.sender().displayName(), p.recipients()));
    }

    @GET
    @Path("/{id}/access")
    @Operation(summary = "For message-service and the gateway: my membership range (epochs, and the seq at which I left)")
    @APIResponse(responseCode = "404", description = "not-found")
    public Uni<AccessResponse> access(@PathParam("id") String id) {
        return sessions.access(jwt.getSubject(), Requests.id(id, "No such session.")).map(a -> new AccessResponse(a.sessionId(), a.userId(),
                a.active(), a.joinedEpoch(), a.leftEpoch(), a.leftSeq(), a.currentEpoch()));
    }

    private Uni<SessionResponse> withNames(Session s) {
        return sessions.names(List.of(s)).map(names -> SessionResponse.of(s, jwt.getSubject(), names));
    }

    private static List<SessionService.MemberInput> members(List<MemberRequest> list) {
        return list == null ? List.of() : list.stream().map(m -> m == null ? null : m.toInput()).toList();
    }

    private static List<SessionService.EnvelopeInput> envelopes(List<EnvelopeRequest> list) {
        return list == null ? null : list.stream().map(e -> e == null ? null : e.toInput()).toList();
    }


}
