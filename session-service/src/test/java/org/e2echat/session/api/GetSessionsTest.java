package org.e2echat.session.api;

import static org.e2echat.session.api.Fixture.group;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GetSessionsTest {

    @Inject
    Fixture fixture;

    @Test
    void sessionsAreOrderedByLastActivityAndPaged() {
        List<TestUser> p = fixture.people(2);
        TestUser me = p.get(0);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(group(me, List.of(p.get(1))));
        }
        // newest first
        me.as().get("/v1/sessions").then().statusCode(200).body("sessions.id", contains(ids.get(2), ids.get(1), ids.get(0)));
        // a message in the oldest session makes it the most recent
        fixture.publishMessage(ids.get(0), 1, 1, List.of(me.id(), p.get(1).id()));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                me.as().get("/v1/sessions").then().body("sessions.id", contains(ids.get(0), ids.get(2), ids.get(1)))
                        .body("sessions[0].lastMessageSeq", equalTo(1)));

        me.as().get("/v1/sessions?size=2").then().body("sessions", hasSize(2)).body("hasMore", equalTo(true))
                .body("sessions.id", contains(ids.get(0), ids.get(2)));
        me.as().get("/v1/sessions?size=2&page=1").then().body("sessions.id", contains(ids.get(1)))
                .body("hasMore", equalTo(false));
        me.as().get("/v1/sessions?size=0").then().statusCode(400);
        me.as().get("/v1/sessions?size=101").then().statusCode(400);
        me.as().get("/v1/sessions?page=-1").then().statusCode(400);
        // not numbers, overflowing, fractional: the same problem, never a 404
        for (String bad : List.of("page=x", "size=1.5", "page=99999999999999999999", "size=2147483648")) {
            me.as().get("/v1/sessions?" + bad).then().statusCode(400)
                    .contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:invalid-paging"));
        }
    }

    @Test
    void listsMembersWithNamesAndShowsLeftSessionsWithoutThem() {
        List<TestUser> p = fixture.people(3);
        String id = group(p.get(0), p.subList(1, 3));
        p.get(1).as().get("/v1/sessions").then()
                .body("sessions[0].members.find { it.userId == '" + p.get(2).id() + "' }.username",
                        equalTo(p.get(2).username()))
                .body("sessions[0].members.find { it.userId == '" + p.get(2).id() + "' }.deleted", equalTo(false));
        p.get(0).as().delete("/v1/sessions/" + id + "/members/" + p.get(2).id()).then().statusCode(204);
        p.get(2).as().get("/v1/sessions").then().body("sessions", hasSize(1))
                .body("sessions[0].id", equalTo(id))
                .body("sessions[0].membership", equalTo("LEFT"))
                .body("sessions[0].myLeftEpoch", equalTo(1))
                .body("sessions[0].members", nullValue())
                .body("sessions[0].currentEpoch", nullValue());
    }
}
