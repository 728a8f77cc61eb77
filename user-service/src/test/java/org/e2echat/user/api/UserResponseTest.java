package org.e2echat.user.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import org.e2echat.user.domain.IdentityKey;
import org.e2echat.user.domain.KeyStatus;
import org.e2echat.user.domain.User;
import org.junit.jupiter.api.Test;

/** What the profile says about a current key that has passed its expiry but is not yet recorded as expired. */
@io.quarkus.test.junit.QuarkusTest // in the application's class loader, like its other tests
class UserResponseTest {

    private static final Instant T = Instant.parse("2027-01-01T00:00:00Z");

    @Test
    void aCurrentKeyPastItsExpiryReadsAsNoCurrentKeyLikeARevokedOne() {
        User user = new User("u1", "ann", "ann", "Ann", "hash", false, T.minusSeconds(60), null, 1,
                List.of(new IdentityKey(1, "suite", "s", "k", "sig", "00".repeat(32), KeyStatus.ACTIVE,
                        T.minusSeconds(60), T, null)), 0, List.of());
        UserApi.UserResponse before = UserApi.UserResponse.of(user, T.minusMillis(1));
        assertEquals(1, before.currentKeyVersion());
        assertEquals("ACTIVE", before.currentKey().status());

        UserApi.UserResponse after = UserApi.UserResponse.of(user, T);
        assertNull(after.currentKey());
        assertNull(after.currentKeyVersion(), "currentKeyVersion is null exactly when currentKey is");
        assertNull(UserApi.KeysResponse.of(user, T).currentKeyVersion());
        assertEquals("EXPIRED", UserApi.KeysResponse.of(user, T).keys().get(0).status());
    }
}
