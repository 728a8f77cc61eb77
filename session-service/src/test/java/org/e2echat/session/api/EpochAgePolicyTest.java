package org.e2echat.session.api;

import static org.e2echat.session.api.Fixture.group;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.Test;

/** An epoch older than the policy allows requires a rekey, found by the periodic check. */
@QuarkusTest
@TestProfile(EpochAgePolicyTest.ShortEpochs.class)
class EpochAgePolicyTest {

    /** Epochs expire after two seconds and are checked twice a second. */
    public static class ShortEpochs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("e2echat.sessions.policy.max-epoch-age", "2s",
                    "e2echat.sessions.policy.check-interval", "500ms");
        }
    }

    @Inject
    Fixture fixture;

    @Test
    void anOldEpochRequiresARekeyAndARotationStartsAFreshOne() {
        List<TestUser> p = fixture.people(2);
        String id = group(p.get(0), p.subList(1, 2));
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                p.get(0).as().get("/v1/sessions/" + id).then().body("rekeyRequired", equalTo(true))
                        .body("rekeyReason", equalTo("POLICY_AGE")));
        p.get(1).as().get("/v1/sessions/" + id + "/send-permission?epoch=1").then().statusCode(409)
                .body("reason", equalTo("POLICY_AGE"));
        // a rotation starts a fresh epoch (the answer is the session right after it)
        Fixture.rotate(p.get(1), id, 2, p, null).then().statusCode(200)
                .body("currentEpoch", equalTo(2)).body("rekeyRequired", equalTo(false));
    }
}
