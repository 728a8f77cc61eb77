package org.e2echat.user.api;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.e2echat.common.ratelimit.ClientAddress;
import org.e2echat.common.validation.Requests;
import org.e2echat.user.api.UserApi.LoginRequest;
import org.e2echat.user.api.UserApi.RefreshRequest;
import org.e2echat.user.api.UserApi.TokenResponse;
import org.e2echat.user.domain.UserService;
import org.e2echat.user.security.SigningKeys;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Password login, refresh-token rotation, logout, and the JWKS other services verify tokens with. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {

    private final UserService users;
    private final SigningKeys keys;
    private final ClientAddress clientAddress;

    public AuthResource(UserService users, SigningKeys keys, ClientAddress clientAddress) {
        this.users = users;
        this.keys = keys;
        this.clientAddress = clientAddress;
    }

    @POST
    @Path("/v1/auth/login")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Log in with username and password; returns an access token and a refresh token")
    @APIResponse(responseCode = "401", description = "invalid-credentials (same for unknown user and wrong password)")
    @APIResponse(responseCode = "429", description = "rate-limited, with Retry-After")
    @APIResponse(responseCode = "503", description = "busy: too many password hashes at once (Retry-After)")
    public Uni<TokenResponse> login(LoginRequest request, @Context HttpServerRequest http) {
        LoginRequest r = Requests.body(request);
        return users.login(r.username(), r.password(), clientAddress.of(http)).map(AuthResource::tokens);
    }

    @POST
    @Path("/v1/auth/refresh")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Exchange a refresh token for new tokens; the old refresh token is spent")
    @APIResponse(responseCode = "401", description = "invalid-refresh-token, or refresh-token-reused (the whole login is revoked)")
    public Uni<TokenResponse> refresh(RefreshRequest request) {
        return users.refresh(Requests.body(request).refreshToken()).map(AuthResource::tokens);
    }

    @POST
    @Path("/v1/auth/logout")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Revoke the login the refresh token belongs to")
    @APIResponse(responseCode = "204", description = "Revoked (also for unknown tokens)")
    public Uni<Response> logout(RefreshRequest request) {
        return users.logout(Requests.body(request).refreshToken()).map(v -> Response.noContent().build());
    }

    @GET
    @Path("/.well-known/jwks.json")
    @Operation(summary = "Public keys that verify access tokens (current and recently retired)")
    public Map<String, Object> jwks() {
        return keys.jwks();
    }

    private static TokenResponse tokens(UserService.Tokens t) {
        return new TokenResponse(t.user().id(), t.accessToken(), "Bearer", t.accessExpiresIn(), t.refreshToken(),
                t.refreshExpiresIn());
    }
}
