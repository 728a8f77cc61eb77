package org.e2echat.session.api;

import static org.e2echat.session.api.Fixture.group;
import static org.e2echat.session.api.Fixture.member;
import static org.e2echat.session.api.Fixture.rotate;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RotationTest {

    @Inject
    Fixture fixture;

    @Test
    void anyMemberRotatesToTheNextEpochAndOnlyTheNextEpoch() {
        List<TestUser> p = fixture.people(3);
        String id = group(p.get(0), p.subList(1, 3));
        rotate(p.get(2), id, 3, p, null).then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:stale-epoch")).body("currentEpoch", equalTo(1));
        rotate(p.get(2), id, 1, p, null).then().statusCode(409).body("currentEpoch", equalTo(1));
        rotate(p.get(2), id, 2, p, null).then().statusCode(200).body("currentEpoch", equalTo(2));
        p.get(1).as().get("/v1/sessions/" + id + "/envelopes").then().body("epoch", contains(1, 2));
        p.get(1).as().get("/v1/sessions/" + id + "/envelopes?epoch=2").then().body("$", hasSize(1))
                .body("[0].senderId", equalTo(p.get(2).id()));
    }

    @Test
    void rotationMustCoverExactlyTheCurrentMembers() {
        List<TestUser> p = fixture.people(3);
        String id = group(p.get(0), p.subList(1, 3));
        rotate(p.get(0), id, 2, p.subList(0, 2), null).then().statusCode(409)
                .body("type", equalTo("urn:e2echat:problem:recipient-mismatch"))
                .body("currentEpoch", equalTo(1))
                .body("missing", contains(p.get(2).id()));
        TestUser outsider = fixture.people(1).get(0);
        List<TestUser> withOutsider = new ArrayList<>(p);
        withOutsider.add(outsider);
        rotate(p.get(0), id, 2, withOutsider, null).then().statusCode(409).body("extra", contains(outsider.id()));
        p.get(0).as().get("/v1/sessions/" + id).then().body("currentEpoch", equalTo(1));
    }

    @Test
    void ofTwoConcurrentRotationsExactlyOneWins() throws Exception {
        List<TestUser> p = fixture.people(3);
        String id = group(p.get(0), p.subList(1, 3));
        for (int round = 0; round < 5; round++) {
            int epoch = round + 2;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Response>> results = new ArrayList<>();
            for (TestUser by : List.of(p.get(1), p.get(2))) {
                results.add(pool.submit(() -> {
                    go.await();
                    return rotate(by, id, epoch, p, null);
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Response> r : results) {
                statuses.add(r.get().statusCode());
            }
            pool.shutdown();
            statuses.sort(Integer::compare);
            assertEquals(List.of(200, 409), statuses, "round " + round);
            // the loser's envelopes never surface: each member holds exactly one envelope per epoch
            p.get(0).as().get("/v1/sessions/" + id + "/envelopes?epoch=" + epoch).then().body("$", hasSize(1));
        }
        p.get(0).as().get("/v1/sessions/" + id).then().body("currentEpoch", equalTo(6));
    }

    @Test
    void ownersAndAdminsAddMembersWithARotationAndNewMembersDoNotReadOldEpochs() {
        List<TestUser> p = fixture.people(4);
        TestUser owner = p.get(0);
        TestUser plain = p.get(1);
        String id = group(owner, List.of(plain));
        TestUser newcomer = p.get(2);
        rotate(plain, id, 2, List.of(owner, plain, newcomer), List.of(member(newcomer, "MEMBER"))).then()
                .statusCode(403).body("type", equalTo("urn:e2echat:problem:forbidden"));
        rotate(owner, id, 2, List.of(owner, plain, newcomer), List.of(member(newcomer, "MEMBER"))).then()
                .statusCode(200).body("members", hasSize(3));
        newcomer.as().get("/v1/sessions/" + id + "/envelopes").then().statusCode(200).body("epoch", contains(2));
        newcomer.as().get("/v1/sessions/" + id + "/envelopes?epoch=1").then().statusCode(404);
        newcomer.as().get("/v1/sessions/" + id + "/members").then()
                .body("find { it.userId == '" + newcomer.id() + "' }.joinedEpoch", equalTo(2));
    }
}
