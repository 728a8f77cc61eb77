package org.e2echat.user.domain;

import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.e2echat.common.outbox.OutboxEvent;
import org.e2echat.common.problem.ProblemException;
import org.e2echat.contracts.events.UserEvents;

/** The use cases of accounts, credentials, tokens and identity keys. */
public final class UserService {

    /** What a successful login or refresh returns. */
    public record Tokens(User user, String accessToken, long accessExpiresIn, String refreshToken,
            long refreshExpiresIn) {
    }

    /** What a client sends to register. */
    public record Registration(String username, String displayName, String password, IdentityValidator.Upload identity) {
    }

    private static final int MAX_CAS_ATTEMPTS = 8;

    private final UserStore users;
    private final RefreshTokenStore refreshTokens;
    private final PasswordHasher hasher;
    private final TokenIssuer tokens;
    private final BiFunction<String, Object, OutboxEvent> events;
    private final Runnable outboxWake;
    private final LoginRateLimiter limiter;
    private final HashingPool hashing;
    private final Duration refreshTtl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public UserService(UserStore users, RefreshTokenStore refreshTokens, PasswordHasher hasher, TokenIssuer tokens,
            BiFunction<String, Object, OutboxEvent> events, Runnable outboxWake, LoginRateLimiter limiter,
            HashingPool hashing, Duration refreshTtl, Clock clock) {
        this.users = users;
        this.refreshTokens = refreshTokens;
        this.hasher = hasher;
        this.tokens = tokens;
        this.events = events;
        this.outboxWake = outboxWake;
        this.limiter = limiter;
        this.hashing = hashing;
        this.refreshTtl = refreshTtl;
        this.clock = clock;
    }

    public Uni<User> register(Registration r) {
        String username = Names.username(r.username());
        String displayName = Names.displayName(r.displayName());
        char[] password = checkedPassword(r.password());
        Instant now = clock.instant();
        IdentityKey key = IdentityValidator.validate(r.identity(), 1, now);
        String id = UUID.randomUUID().toString();
        return hashing.run(() -> hasher.hash(password)).flatMap(hash -> {
            User fresh = new User(id, username, Names.usernameKey(username), displayName,
                    hash, false, now, null, 1, List.of(key), UserEvents.UserState.FIRST_REVISION, List.of());
            User user = fresh.withEvent(events.apply(UserEvents.UserRegistered.TYPE, new UserEvents.UserRegistered(id,
                    username, displayName, key.version(), key.fingerprint(), state(fresh, fresh.revision()))));
            return users.insert(user).replaceWith(user).invoke(u -> outboxWake.run());
        }).onFailure(UserStore.UsernameTaken.class).transform(e -> new ProblemException(409, "username-taken",
                "Username taken", "That username (or one differing only in case or form) is already taken."));
    }

    public Uni<Tokens> login(String rawUsername, String password, String clientAddress) {
        String key = loginKey(rawUsername);
        long wait = limiter.tryAcquire(key, clientAddress);
        if (wait > 0) {
            return Uni.createFrom().failure(new ProblemException(429, "rate-limited", "Too many login attempts",
                    "Too many login attempts; try again in " + wait + " s.", Map.of(),
                    Map.of("Retry-After", String.valueOf(wait))));
        }
        char[] pw = password == null ? new char[0] : password.toCharArray();
        Uni<User> found = key.isEmpty() ? Uni.createFrom().nullItem() : users.getByUsernameKey(key);
        return found.flatMap(user -> hashing.run(() -> {
            if (user == null || user.deleted() || user.passwordHash() == null) {
                hasher.verifyDecoy(pw);
                return false;
            }
            return hasher.verify(pw, user.passwordHash());
        }).flatMap(ok -> {
            if (!ok) {
                return Uni.createFrom().failure(invalidCredentials());
            }
            return newSession(user, UUID.randomUUID().toString());
        }));
    }

    public Uni<Tokens> refresh(String refreshToken) {
        if (refreshToken == null || refreshToken.isEmpty() || refreshToken.length() > 256) {
            return Uni.createFrom().failure(invalidRefresh());
        }
        String hash = sha256(refreshToken);
        return refreshTokens.spend(hash).flatMap(spent -> {
            if (spent == null) {
                return refreshTokens.lookup(hash).flatMap(existing -> {
                    if (existing != null && existing.state() == RefreshToken.State.SPENT) {
                        return refreshTokens.revokeFamily(existing.familyId()).flatMap(v -> Uni.createFrom()
                                .failure(new ProblemException(401, "refresh-token-reused", "Refresh token reused",
                                        "This refresh token was already used; every token of its login is now revoked.")));
                    }
                    return Uni.createFrom().failure(invalidRefresh());
                });
            }
            if (!spent.expiresAt().isAfter(clock.instant())) {
                return Uni.createFrom().failure(invalidRefresh());
            }
            // the successor is inserted before the family is checked: a reuse detected concurrently
            // either revokes it (it already exists) or is seen here (it revoked first)
            return users.get(spent.userId()).flatMap(user -> user == null || user.deleted()
                    ? Uni.createFrom().failure(invalidRefresh())
                    : newSession(user, spent.familyId()).call(issued -> refreshTokens
                            .familyRevoked(spent.familyId()).invoke(revoked -> {
                                if (revoked) {
                                    throw invalidRefresh();
                                }
                            })));
        });
    }

    /** Revokes the whole login the token belongs to; unknown tokens are ignored. */
    public Uni<Void> logout(String refreshToken) {
        if (refreshToken == null || refreshToken.isEmpty() || refreshToken.length() > 256) {
            return Uni.createFrom().voidItem();
        }
        return refreshTokens.lookup(sha256(refreshToken)).flatMap(t -> t == null
                ? Uni.createFrom().voidItem()
                : refreshTokens.revokeFamily(t.familyId()));
    }

    public Uni<User> byId(String id) {
        return users.get(id).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user."));
    }

    public Uni<User> byUsername(String rawUsername) {
        String key = loginKey(rawUsername);
        if (key.isEmpty()) {
            return Uni.createFrom().failure(ProblemException.notFound("No such user."));
        }
        return users.getByUsernameKey(key).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user."));
    }

    /** A live (not deleted) user, for the caller's own requests. */
    public Uni<User> caller(String userId) {
        return users.get(userId).onItem().transform(u -> {
            if (u == null || u.deleted()) {
                throw new ProblemException(401, "unauthenticated", "Unauthorized", "This account no longer exists.");
            }
            return u;
        });
    }

    /**
     * Uploads a new identity version; the previous active one becomes SUPERSEDED (EXPIRED when it is
     * already past its expiry). This is also how a user renews a key before (or after) it expires.
     */
    public Uni<IdentityKey> rotateKey(String userId, IdentityValidator.Upload upload) {
        return update(userId, user -> {
            Instant now = clock.instant();
            IdentityKey key = IdentityValidator.validate(upload, user.nextKeyVersion(), now);
            List<IdentityKey> keys = new ArrayList<>();
            for (IdentityKey k : user.keys()) {
                keys.add(k.status() != KeyStatus.ACTIVE ? k
                        : k.withStatus(k.statusAt(now) == KeyStatus.EXPIRED ? KeyStatus.EXPIRED : KeyStatus.SUPERSEDED,
                                null));
            }
            keys.add(key);
            User changed = user.withKeys(keys, key.version());
            return changed.withEvent(events.apply(UserEvents.UserKeyRotated.TYPE, new UserEvents.UserKeyRotated(
                    user.id(), user.currentKeyVersion(now), key.version(), key.fingerprint(), stateAfterChange(changed))));
        }).map(u -> u.key(u.currentKeyVersion()).orElseThrow());
    }

    /** Revokes one version; revoking the current one leaves the user without an active key. */
    public Uni<IdentityKey> revokeKey(String userId, int version) {
        return update(userId, user -> {
            IdentityKey key = user.key(version).orElseThrow(() -> ProblemException.notFound("No key version " + version + "."));
            if (key.status() == KeyStatus.REVOKED) {
                throw ProblemException.conflict("key-already-revoked", "Key version " + version + " is already revoked.");
            }
            Instant now = clock.instant();
            List<IdentityKey> keys = new ArrayList<>();
            for (IdentityKey k : user.keys()) {
                keys.add(k.version() == version ? k.withStatus(KeyStatus.REVOKED, now) : k);
            }
            Integer current = user.currentKeyVersion() != null && user.currentKeyVersion() == version
                    ? null : user.currentKeyVersion();
            User changed = user.withKeys(keys, current);
            return changed.withEvent(events.apply(UserEvents.UserKeyRevoked.TYPE,
                    new UserEvents.UserKeyRevoked(user.id(), version, current, stateAfterChange(changed))));
        }).map(u -> u.key(version).orElseThrow());
    }

    /**
     * Records that the user's active key reached its {@code expiresAt}: the key becomes EXPIRED, the
     * user has no current key (as after a revocation), and {@link UserEvents.UserKeyExpired} tells
     * the other services. Idempotent and safe to run on every replica at once: the change is a
     * compare-and-set on the user's revision, so exactly one writer stores it (and its event); the
     * others re-read, find nothing due and change nothing.
     *
     * @return true when this call stored the expiry
     */
    public Uni<Boolean> expireDueKey(String userId) {
        return users.get(userId).flatMap(found -> {
            if (found == null || found.deleted() || dueKey(found, clock.instant()) == null) {
                return Uni.createFrom().item(false);
            }
            return update(userId, user -> {
                Instant now = clock.instant();
                IdentityKey due = user.deleted() ? null : dueKey(user, now);
                if (due == null) {
                    return null; // another replica (or a renewal) got there first
                }
                List<IdentityKey> keys = new ArrayList<>();
                for (IdentityKey k : user.keys()) {
                    keys.add(k.status() == KeyStatus.ACTIVE && k.statusAt(now) == KeyStatus.EXPIRED
                            ? k.withStatus(KeyStatus.EXPIRED, null) : k);
                }
                User changed = user.withKeys(keys, null);
                return changed.withEvent(events.apply(UserEvents.UserKeyExpired.TYPE, new UserEvents.UserKeyExpired(
                        user.id(), due.version(), due.expiresAt(), null, stateAfterChange(changed))));
            }).map(changed -> changed != null);
        });
    }

    /** The user's current key if it is stored ACTIVE but has passed its expiry by {@code now}. */
    private static IdentityKey dueKey(User user, Instant now) {
        return user.currentKeyVersion() == null ? null : user.key(user.currentKeyVersion())
                .filter(k -> k.status() == KeyStatus.ACTIVE && k.statusAt(now) == KeyStatus.EXPIRED).orElse(null);
    }

    /** Ids of users whose current key has passed its expiry without being recorded as expired, at most {@code limit}. */
    public Uni<List<String>> dueForExpiry(int limit) {
        return users.withActiveKeyExpiredBy(clock.instant(), limit);
    }

    /** Deletes the account after re-checking the password; the tombstone keeps the name. */
    public Uni<User> delete(String userId, String password) {
        char[] pw = password == null ? new char[0] : password.toCharArray();
        return caller(userId)
                .flatMap(user -> hashing.run(() -> hasher.verify(pw, user.passwordHash())))
                .flatMap(ok -> {
                    if (!ok) {
                        return Uni.createFrom().failure(new ProblemException(403, "invalid-credentials",
                                "Password confirmation failed", "The password is wrong; nothing was deleted."));
                    }
                    return update(userId, user -> {
                        Instant now = clock.instant();
                        User tombstone = user.asTombstone(now);
                        return tombstone.withEvent(events.apply(UserEvents.UserDeleted.TYPE, new UserEvents.UserDeleted(
                                user.id(), user.username(), user.displayName(), now, stateAfterChange(tombstone))));
                    });
                })
                .flatMap(tombstone -> refreshTokens.revokeAllOf(userId).replaceWith(tombstone));
    }

    /**
     * Announces the user's current state again, at the revision it already has
     * ({@link UserEvents.UserStateRestated}): for when an older event of the user may have become
     * the last record of the compacted topic. False when the user is unknown or changed meanwhile
     * (the change's own event then announces a newer state).
     */
    public Uni<Boolean> restate(String userId) {
        return users.get(userId).flatMap(user -> {
            if (user == null) {
                return Uni.createFrom().item(false);
            }
            OutboxEvent restated = events.apply(UserEvents.UserStateRestated.TYPE,
                    new UserEvents.UserStateRestated(user.id(), state(user, user.revision())));
            return users.append(user.id(), user.revision(), restated).invoke(appended -> {
                if (appended) {
                    outboxWake.run();
                }
            });
        });
    }

    /**
     * Read, change, compare-and-set on the revision; retried when another writer got there first.
     * A change of null means "nothing to do": it yields null without a write.
     */
    private Uni<User> update(String userId, Function<User, User> change) {
        return caller(userId).flatMap(user -> {
            User changed = change.apply(user);
            if (changed == null) {
                return Uni.createFrom().<User>nullItem();
            }
            return users.replace(changed).map(replaced -> {
                if (!replaced) {
                    throw new RevisionConflict();
                }
                return changed;
            });
        }).onFailure(RevisionConflict.class).retry().atMost(MAX_CAS_ATTEMPTS)
                .onFailure(RevisionConflict.class).transform(e -> ProblemException.conflict("concurrent-update",
                        "The account changed concurrently; retry."))
                .invoke(u -> {
                    if (u != null) {
                        outboxWake.run();
                    }
                });
    }

    /** What consumers project of {@code user}, stamped with the revision it is stored at. */
    private static UserEvents.UserState state(User user, long revision) {
        Instant expiresAt = user.currentKeyVersion() == null ? null
                : user.key(user.currentKeyVersion()).map(IdentityKey::expiresAt).orElse(null);
        return new UserEvents.UserState(user.username(), user.displayName(), user.deleted(), user.currentKeyVersion(),
                expiresAt, revision);
    }

    /** The state a change announces: the changed user at the revision the compare-and-set stores it at. */
    private static UserEvents.UserState stateAfterChange(User changed) {
        return state(changed, changed.revision() + 1);
    }

    private Uni<Tokens> newSession(User user, String familyId) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String refresh = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        RefreshToken stored = new RefreshToken(sha256(refresh), familyId, user.id(), RefreshToken.State.ACTIVE, now,
                now.plus(refreshTtl));
        TokenIssuer.Issued access = tokens.issue(user.id(), user.username());
        return refreshTokens.insert(stored).replaceWith(new Tokens(user, access.token(), access.expiresInSeconds(),
                refresh, refreshTtl.toSeconds()));
    }

    private static String loginKey(String rawUsername) {
        try {
            return Names.usernameKey(Names.username(rawUsername));
        } catch (ProblemException e) {
            return "";
        }
    }

    private static char[] checkedPassword(String password) {
        int length = password == null ? 0 : password.codePointCount(0, password.length());
        if (length < PasswordHasher.MIN_PASSWORD_LENGTH || length > PasswordHasher.MAX_PASSWORD_LENGTH) {
            throw ProblemException.badRequest("invalid-password", "password must be "
                    + PasswordHasher.MIN_PASSWORD_LENGTH + " to " + PasswordHasher.MAX_PASSWORD_LENGTH + " characters long.");
        }
        return password.toCharArray();
    }

    private static ProblemException invalidCredentials() {
        return new ProblemException(401, "invalid-credentials", "Invalid credentials",
                "The username or password is wrong.");
    }

    private static ProblemException invalidRefresh() {
        return new ProblemException(401, "invalid-refresh-token", "Invalid refresh token",
                "The refresh token is unknown, expired or revoked; log in again.");
    }

    static String sha256(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return org.e2echat.contracts.identity.IdentityEncoding.hex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class RevisionConflict extends RuntimeException {
        RevisionConflict() {
            super("revision conflict", null, false, false);
        }
    }
}
