package org.e2echat.user.api;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.common.ratelimit.ClientAddress;
import org.e2echat.common.validation.Requests;
import org.e2echat.user.api.UserApi.DeleteAccountRequest;
import org.e2echat.user.api.UserApi.IdentityRequest;
import org.e2echat.user.api.UserApi.KeyResponse;
import org.e2echat.user.api.UserApi.KeysResponse;
import org.e2echat.user.api.UserApi.RegisterRequest;
import org.e2echat.user.api.UserApi.UserResponse;
import org.e2echat.user.domain.UserService;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Accounts, public profiles and identity keys. */
@Path("/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource {

    private final UserService users;
    private final JsonWebToken jwt;
    private final RequestLimits limits;
    private final ClientAddress clientAddress;

    public UserResource(UserService users, JsonWebToken jwt, RequestLimits limits, ClientAddress clientAddress) {
        this.users = users;
        this.jwt = jwt;
        this.limits = limits;
        this.clientAddress = clientAddress;
    }

    @POST
    @Operation(summary = "Register an account with its first public identity")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "malformed-request, invalid-username, invalid-display-name, invalid-password, malformed-base64")
    @APIResponse(responseCode = "409", description = "username-taken (case and Unicode form variants included)")
    @APIResponse(responseCode = "422", description = "unsupported-suite, invalid-key-length, invalid-key, bad-key-signature")
    @APIResponse(responseCode = "429", description = "rate-limited: too many registrations from this address (Retry-After)")
    @APIResponse(responseCode = "503", description = "busy: too many password hashes at once (Retry-After)")
    public Uni<Response> register(RegisterRequest request, @Context HttpServerRequest http) {
        limits.registration(clientAddress.of(http));
        RegisterRequest r = Requests.body(request);
        IdentityRequest identity = r.identity();
        return users.register(new UserService.Registration(r.username(), r.displayName(), r.password(),
                identity == null ? null : identity.toUpload()))
                .map(u -> Response.created(URI.create("/v1/users/" + u.id()))
                        .entity(UserResponse.of(u, Instant.now())).build());
    }

    @GET
    @Path("/me")
    @Authenticated
    @SecurityRequirement(name = "bearer")
    @Operation(summary = "My profile")
    @APIResponse(responseCode = "401", description = "unauthenticated")
    public Uni<UserResponse> me() {
        return users.caller(jwt.getSubject()).map(u -> UserResponse.of(u, Instant.now()));
    }

    @DELETE
    @Path("/me")
    @Authenticated
    @SecurityRequirement(name = "bearer")
    @Operation(summary = "Delete my account (password re-confirmed); the name stays on my old messages")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "401", description = "unauthenticated")
    @APIResponse(responseCode = "403", description = "invalid-credentials: the password is wrong, nothing changed")
    public Uni<Response> deleteMe(DeleteAccountRequest request) {
        return users.delete(jwt.getSubject(), Requests.body(request).password()).map(u -> Response.noContent().build());
    }

    @GET
    @Path("/{id}")
    @Authenticated
    @SecurityRequirement(name = "bearer")
    @Operation(summary = "A user's public profile and current key (deleted users show deleted=true and their name)")
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "429", description = "rate-limited: too many lookups (Retry-After)")
    public Uni<UserResponse> byId(@PathParam("id") String id) {
        limits.lookup(jwt.getSubject());
        return users.byId(Requests.id(id, "No such user.")).map(u -> UserResponse.of(u, Instant.now()));
    }

    @GET
    @Path("/by-username/{username}")
    @Authenticated
    @SecurityRequirement(name = "bearer")
    @Operation(summary = "Look up a user by exact username (case-insensitive); there is no user listing")
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "429", description = "rate-limited: too many lookups (Retry-After)")
    public Uni<UserResponse> byUsername(@PathParam("username") String username) {
        limits.lookup(jwt.getSubject());
        return users.byUsername(username).map(u -> UserResponse.of(u, Instant.now()));
    }

    @GET
    @Path("/{id}/keys")
    @Authenticated
    @SecurityRequirement(name = "bearer")
    @Operation(summary = "All identity versions of a user with status and fingerprints")
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "429", description = "rate-limited: too many lookups (Retry-After)")
    public Uni<KeysResponse> keys(@PathParam("id") String id) {
        limits.lookup(jwt.getSubject());
        return users.byId(Requests.id(id, "No such user.")).map(u -> KeysResponse.of(u, Instant.now()));
    }

    @POST
    @Path("/me/keys")
    @Authenticated
    @SecurityRequirement(name = "bearer")
    @Operation(summary = "Rotate: upload a new identity version; the previous one becomes SUPERSEDED")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "malformed-request, malformed-base64")
    @APIResponse(responseCode = "409", description = "concurrent-update")
    @APIResponse(responseCode = "422", description = "unsupported-suite, invalid-key-length, invalid-key, bad-key-signature")
    public Uni<Response> rotate(IdentityRequest request) {
        return users.rotateKey(jwt.getSubject(), Requests.body(request).toUpload())
                .map(k -> Response.status(201).entity(KeyResponse.of(k, Instant.now())).build());
    }

    @POST
    @Path("/me/keys/{version}/revoke")
    @Authenticated
    @SecurityRequirement(name = "bearer")
    @Operation(summary = "Revoke one of my identity versions")
    @APIResponse(responseCode = "404", description = "not-found")
    @APIResponse(responseCode = "409", description = "key-already-revoked")
    public Uni<KeyResponse> revoke(@PathParam("version") String version) {
        int v;
        try {
            v = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw ProblemException.notFound("No key version " + version + ".");
        }
        return users.revokeKey(jwt.getSubject(), v).map(k -> KeyResponse.of(k, Instant.now()));
    }
}
