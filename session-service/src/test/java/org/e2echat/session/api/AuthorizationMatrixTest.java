package org.e2echat.session.api;

import static org.e2echat.session.api.Fixture.envelopes;
import static org.e2echat.session.api.Fixture.member;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.e2echat.testsupport.TestUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint for every relation to the session: non-members and removed members get 404/403
 * and learn nothing; members, admins and owners get what their role allows.
 */
@QuarkusTest
class AuthorizationMatrixTest {

    enum As { OWNER, ADMIN, MEMBER, REMOVED, NON_MEMBER }

    /** A group at epoch 2: owner, admin, member and a target member, with one member removed before. */
    record World(String id, Map<As, TestUser> people, TestUser target, List<TestUser> current) {
    }

    @Inject
    Fixture fixture;

    World world() {
        List<TestUser> p = fixture.people(6);
        TestUser owner = p.get(0);
        TestUser admin = p.get(1);
        TestUser member = p.get(2);
        TestUser target = p.get(3);
        TestUser removed = p.get(4);
        TestUser outsider = p.get(5);
        String id = Fixture.createGroup(owner, List.of(member(admin, "ADMIN"), member(member, "MEMBER"),
                member(target, "MEMBER"), member(removed, "MEMBER")), envelopes(owner, p.subList(0, 5)))
                .then().statusCode(201).extract().path("id");
        owner.as().delete("/v1/sessions/" + id + "/members/" + removed.id()).then().statusCode(204);
        List<TestUser> current = p.subList(0, 4);
        Fixture.rotate(owner, id, 2, current, null).then().statusCode(200);
        Map<As, TestUser> people = new LinkedHashMap<>();
        people.put(As.OWNER, owner);
        people.put(As.ADMIN, admin);
        people.put(As.MEMBER, member);
        people.put(As.REMOVED, removed);
        people.put(As.NON_MEMBER, outsider);
        return new World(id, people, target, current);
    }

    static Map<String, BiFunction<World, TestUser, Response>> endpoints() {
        Map<String, BiFunction<World, TestUser, Response>> e = new LinkedHashMap<>();
        e.put("get", (w, p) -> p.as().get("/v1/sessions/" + w.id()));
        e.put("members", (w, p) -> p.as().get("/v1/sessions/" + w.id() + "/members"));
        e.put("rotate", (w, p) -> Fixture.rotate(p, w.id(), 3, w.current(), null));
        e.put("remove-member", (w, p) -> p.as().delete("/v1/sessions/" + w.id() + "/members/" + w.target().id()));
        e.put("leave", (w, p) -> p.as().post("/v1/sessions/" + w.id() + "/leave"));
        e.put("envelopes", (w, p) -> p.as().get("/v1/sessions/" + w.id() + "/envelopes"));
        e.put("send-permission", (w, p) -> p.as().get("/v1/sessions/" + w.id() + "/send-permission?epoch=2"));
        e.put("access", (w, p) -> p.as().get("/v1/sessions/" + w.id() + "/access"));
        return e;
    }

    /** Expected status per endpoint, in the order OWNER, ADMIN, MEMBER, REMOVED, NON_MEMBER. */
    static final Map<String, int[]> EXPECTED = Map.of(
            "get", new int[] {200, 200, 200, 403, 404},
            "members", new int[] {200, 200, 200, 403, 404},
            "rotate", new int[] {200, 200, 200, 403, 404},
            "remove-member", new int[] {204, 204, 403, 403, 404},
            "leave", new int[] {204, 204, 204, 403, 404},
            "envelopes", new int[] {200, 200, 200, 200, 404},
            "send-permission", new int[] {200, 200, 200, 403, 404},
            "access", new int[] {200, 200, 200, 200, 404});

    static Stream<Arguments> cases() {
        return endpoints().keySet().stream().flatMap(endpoint ->
                Stream.of(As.values()).map(as -> Arguments.of(endpoint, as)));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("cases")
    void eachRelationGetsExactlyWhatItsRoleAllows(String endpoint, As as) {
        World w = world();
        int expected = EXPECTED.get(endpoint)[as.ordinal()];
        Response response = endpoints().get(endpoint).apply(w, w.people().get(as));
        response.then().statusCode(expected);
        if (expected >= 400) {
            response.then().contentType("application/problem+json");
        }
        if (as == As.NON_MEMBER) {
            // indistinguishable from a session that does not exist
            response.then().body("detail", equalTo("No such session.")).body("members", equalTo(null));
        }
        if (as == As.REMOVED && endpoint.equals("envelopes")) {
            response.then().body("epoch", everyItem(equalTo(1)));
        }
        if (expected == 200 && endpoint.equals("envelopes")) {
            response.then().body("recipientId", everyItem(equalTo(w.people().get(as).id())));
        }
    }

    @Test
    void unknownSessionAndMalformedIdsLookLikeNonMembership() {
        World w = world();
        TestUser owner = w.people().get(As.OWNER);
        owner.as().get("/v1/sessions/" + UUID.randomUUID()).then().statusCode(404)
                .body("detail", equalTo("No such session."));
        owner.as().get("/v1/sessions/not-a-uuid/envelopes").then().statusCode(404);
        owner.as().delete("/v1/sessions/" + w.id() + "/members/" + w.people().get(As.NON_MEMBER).id()).then()
                .statusCode(404);
        owner.as().delete("/v1/sessions/" + w.id() + "/members/" + owner.id()).then().statusCode(403);
        w.people().get(As.ADMIN).as().delete("/v1/sessions/" + w.id() + "/members/" + owner.id()).then().statusCode(403);
        owner.as().get("/v1/sessions/" + w.id() + "/send-permission").then().statusCode(400);
        for (String bad : List.of("x", "1.5", "99999999999999999999")) {
            owner.as().get("/v1/sessions/" + w.id() + "/send-permission?epoch=" + bad).then().statusCode(400)
                    .contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:invalid-epoch"));
            owner.as().get("/v1/sessions/" + w.id() + "/envelopes?epoch=" + bad).then().statusCode(400)
                    .contentType("application/problem+json").body("type", equalTo("urn:e2echat:problem:invalid-epoch"));
        }
    }
}
