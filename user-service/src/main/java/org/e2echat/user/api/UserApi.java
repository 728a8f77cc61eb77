package org.e2echat.user.api;

import java.time.Instant;
import java.util.List;
import org.e2echat.contracts.identity.IdentityEncoding;
import org.e2echat.user.domain.IdentityKey;
import org.e2echat.user.domain.IdentityValidator;
import org.e2echat.user.domain.User;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of user-service. */
public final class UserApi {

    private UserApi() {
    }

    @Schema(description = "A public identity: raw 32-byte keys and a 64-byte signature, standard padded base64.")
    public record IdentityRequest(
            @Schema(example = IdentityEncoding.SUITE_V1) String suite,
            @Schema(description = "Ed25519 public key, 32 bytes") String signingPublicKey,
            @Schema(description = "X25519 public key, 32 bytes") String kemPublicKey,
            @Schema(description = "Ed25519 signature over the canonical KEM-key encoding (docs/crypto.md)") String kemKeySignature,
            @Schema(description = "Optional expiry; after it the key reads as EXPIRED") Instant expiresAt) {

        IdentityValidator.Upload toUpload() {
            return new IdentityValidator.Upload(suite, signingPublicKey, kemPublicKey, kemKeySignature, expiresAt);
        }
    }

    public record RegisterRequest(
            @Schema(description = "3-32 letters, digits, '.', '_', '-'; unique ignoring case") String username,
            @Schema(description = "1-64 characters, no control/bidi/zero-width characters") String displayName,
            @Schema(description = "12-256 characters") String password,
            IdentityRequest identity) {
    }

    public record LoginRequest(String username, String password) {
    }

    public record RefreshRequest(String refreshToken) {
    }

    public record DeleteAccountRequest(@Schema(description = "The current password, re-confirmed") String password) {
    }

    public record TokenResponse(String userId, String accessToken, String tokenType, long expiresIn,
            String refreshToken, long refreshExpiresIn) {
    }

    public record KeyResponse(int version, String suite, String signingPublicKey, String kemPublicKey,
            String kemKeySignature,
            @Schema(description = "lower-case hex SHA-256 over the canonical identity encoding") String fingerprint,
            @Schema(description = "the fingerprint as 6 groups of 5 digits, for people to compare") String fingerprintDigits,
            @Schema(enumeration = {"ACTIVE", "SUPERSEDED", "REVOKED", "EXPIRED"}) String status,
            Instant createdAt, Instant expiresAt, Instant revokedAt) {

        static KeyResponse of(IdentityKey k, Instant now) {
            byte[] fp = java.util.HexFormat.of().parseHex(k.fingerprint());
            return new KeyResponse(k.version(), k.suite(), k.signingPublicKey(), k.kemPublicKey(), k.kemKeySignature(),
                    k.fingerprint(), IdentityEncoding.fingerprintDigits(fp), k.statusAt(now).name(), k.createdAt(),
                    k.expiresAt(), k.revokedAt());
        }
    }

    @Schema(description = "A user's public profile. A deleted user keeps id, username and display name.")
    public record UserResponse(String id, String username, String displayName, boolean deleted, Instant createdAt,
            Instant deletedAt,
            @Schema(description = "the version of currentKey; null exactly when currentKey is null") Integer currentKeyVersion,
            @Schema(description = "the current key if it is active now, else null") KeyResponse currentKey) {

        static UserResponse of(User u, Instant now) {
            KeyResponse current = u.activeKey(now).map(k -> KeyResponse.of(k, now)).orElse(null);
            return new UserResponse(u.id(), u.username(), u.displayName(), u.deleted(), u.createdAt(), u.deletedAt(),
                    current == null ? null : current.version(), current);
        }
    }

    public record KeysResponse(String userId, Integer currentKeyVersion, List<KeyResponse> keys) {

        static KeysResponse of(User u, Instant now) {
            return new KeysResponse(u.id(), u.currentKeyVersion(now),
                    u.keys().stream().map(k -> KeyResponse.of(k, now)).toList());
        }
    }
}
