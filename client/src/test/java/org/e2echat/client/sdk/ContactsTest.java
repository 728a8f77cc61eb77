package org.e2echat.client.sdk;

import static org.e2echat.client.sdk.StubServices.json;
import static org.e2echat.client.sdk.StubServices.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.PublicIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contact directory and TOFU: swapped and unsigned identities are caught, names are looked up. */
class ContactsTest {

    @RegisterExtension
    final StubServices services = new StubServices();


    @Test
    void aSwappedIdentityWarnsTheListenerAndIsRefused() {
        PublicIdentity first = Identity.generate(1).publicIdentity();
        PublicIdentity swapped = Identity.generate(1).publicIdentity();
        List<PublicIdentity> served = new ArrayList<>(List.of(first, swapped));
        services.routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", served.remove(0))));
        ChatClient alice = services.alice();
        List<IdentityChange> warnings = new ArrayList<>();
        alice.addListener(new ChatListener() {
            @Override
            public void onIdentityChanged(IdentityChange change) {
                warnings.add(change);
            }
        });
        alice.currentIdentity("u-bob");
        IdentityChangedException e = assertThrows(IdentityChangedException.class, () -> alice.currentIdentity("u-bob"));
        assertEquals(first.fingerprintHex(), e.change().pinnedFingerprint());
        assertEquals(swapped.fingerprintHex(), e.change().newFingerprint());
        assertEquals(List.of(e.change()), warnings);
        alice.close();
    }

    @Test
    void aKemKeyNotSignedByTheSigningKeyIsNeverTrustedOrPinned() {
        PublicIdentity bob = Identity.generate(1).publicIdentity();
        PublicIdentity other = Identity.generate(1).publicIdentity();
        PublicIdentity forged = PublicIdentity.of(bob.suite(), 1, bob.signingPublicKey(), other.kemPublicKey(),
                bob.kemKeySignature());
        services.routes.put("GET /v1/users/u-bob", x -> json(200, user("u-bob", forged)));
        ChatClient alice = services.alice();
        assertThrows(IllegalStateException.class, () -> alice.currentIdentity("u-bob"));
        assertNull(alice.tofu().pinnedFingerprint("u-bob"));
        alice.close();
    }

    @Test
    void aUserWithoutAUsableKeyIsNamedAsSuchAndUsernamesAreLookedUp() {
        services.routes.put("GET /v1/users/u-bob", x -> json(200,
                "{\"id\":\"u-bob\",\"username\":\"bob\",\"currentKeyVersion\":null,\"currentKey\":null}"));
        ChatClient alice = services.alice();
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> alice.currentIdentity("u-bob"));
        assertEquals("user u-bob has no usable key (revoked or expired)", none.getMessage());
        assertEquals("bob", alice.usernameOf("u-bob"));
        alice.close();
    }
}
