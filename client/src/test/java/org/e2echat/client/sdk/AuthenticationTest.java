package org.e2echat.client.sdk;

import static org.e2echat.client.sdk.StubServices.json;
import static org.e2echat.client.sdk.StubServices.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Login and tokens: registration is anonymous, calls carry the bearer, and the password is not kept. */
class AuthenticationTest {

    private static final String PASSWORD = "long enough password";

    @RegisterExtension
    final StubServices services = new StubServices();


    @Test
    void registersLogsInAndSendsTheTokenAsBearer() {
        PublicIdentity bob = Identity.generate(1).publicIdentity();
        services.routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", bob)));
        ChatClient alice = services.alice();
        assertEquals("u-alice", alice.userId());
        assertEquals(bob, alice.currentIdentity("u-bob"));
        assertTrue(services.authorizations.contains("POST /v1/users null"), "registration is anonymous");
        assertTrue(services.authorizations.contains("GET /v1/users/u-bob Bearer tok-1"), services.authorizations.toString());
        alice.close();
    }

    @Test
    void thePasswordIsNotKeptAfterLoginAndDeletionTakesItAgain() {
        services.routes.put("POST /v1/auth/login", x -> json(200,
                "{\"userId\":\"u-alice\",\"accessToken\":\"tok-1\",\"refreshToken\":\"ref-1\"}"));
        services.routes.put("GET /v1/users/u-alice/keys", x -> json(200, "{\"keys\":[]}"));
        ChatClient registered = services.alice();
        ChatClient restored = ChatClient.restore(services.endpoints(), "u-alice", "alice", PASSWORD,
                List.of(Identity.generate(1)));
        for (ChatClient client : List.of(registered, restored)) {
            assertEquals(List.of(), holdersOf(PASSWORD, client), "the password is still held after login");
        }
        services.routes.put("DELETE /v1/users/me", x -> new StubServices.Answer(204, "application/json", ""));
        restored.deleteAccount(PASSWORD);
        assertTrue(services.bodies.get("DELETE /v1/users/me").contains("\"password\":\"" + PASSWORD + "\""));
        registered.close();
        restored.close();
    }

    /** Paths of every field reachable from {@code root} (the SDK's objects, their collections) holding {@code secret}. */
    static List<String> holdersOf(String secret, Object root) {
        List<String> found = new ArrayList<>();
        walk(secret, root, "client", found, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        return found;
    }

    private static void walk(String secret, Object o, String path, List<String> found, Set<Object> seen) {
        if (o == null || !seen.add(o)) {
            return;
        }
        if (o instanceof String s) {
            if (s.contains(secret)) {
                found.add(path);
            }
            return;
        }
        if (o instanceof char[] chars) {
            if (new String(chars).contains(secret)) {
                found.add(path);
            }
            return;
        }
        if (o instanceof Collection<?> c) {
            new ArrayList<>(c).forEach(e -> walk(secret, e, path + "[]", found, seen));
            return;
        }
        if (o instanceof Map<?, ?> m) {
            Map<?, ?> copy = Map.copyOf(m);
            copy.forEach((k, v) -> {
                walk(secret, k, path + "{key}", found, seen);
                walk(secret, v, path + "{}", found, seen);
            });
            return;
        }
        if (!o.getClass().getName().startsWith("org.e2echat.client")) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                f.setAccessible(true);
                try {
                    walk(secret, f.get(o), path + "." + f.getName(), found, seen);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (o.getClass().isArray() && !o.getClass().getComponentType().isPrimitive()) {
            Arrays.stream((Object[]) o).forEach(e -> walk(secret, e, path + "[]", found, seen));
        }
    }
}
