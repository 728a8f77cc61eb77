package org.e2echat.client.sdk;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.e2echat.client.crypto.Identity;
import org.junit.jupiter.api.Test;

/** Trust on first use: pin on first sight, warn and refuse on any change until accepted. */
class TofuStoreTest {

    private final TofuStore tofu = new TofuStore();
    private final List<IdentityChange> warnings = new ArrayList<>();
    private final String first = Identity.generate(1).publicIdentity().fingerprintHex();
    private final String second = Identity.generate(2).publicIdentity().fingerprintHex();

    TofuStoreTest() {
        tofu.addListener(warnings::add);
    }

    @Test
    void pinsTheFirstFingerprintAndAcceptsItAgain() {
        assertNull(tofu.pinnedFingerprint("bob"));
        tofu.check("bob", 1, first);
        tofu.check("bob", 1, first);
        assertEquals(first, tofu.pinnedFingerprint("bob"));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aNewKeyVersionWarnsAndIsRefusedUntilAccepted() {
        tofu.check("bob", 1, first);
        IdentityChangedException e = assertThrows(IdentityChangedException.class, () -> tofu.check("bob", 2, second));
        assertEquals(new IdentityChange("bob", 1, first, 2, second), e.change());
        assertEquals(List.of(e.change()), warnings);
        assertEquals(first, tofu.pinnedFingerprint("bob"), "a refused change does not move the pin");
        assertThrows(IdentityChangedException.class, () -> tofu.check("bob", 2, second), "still refused");

        tofu.accept("bob", 2, second);
        assertDoesNotThrow(() -> tofu.check("bob", 2, second));
        assertDoesNotThrow(() -> tofu.check("bob", 1, first), "the old version still checks old signatures");
        assertEquals(second, tofu.pinnedFingerprint("bob"));
    }

    @Test
    void theSameVersionWithOtherKeysIsASubstitution() {
        tofu.check("bob", 3, first);
        IdentityChangedException e = assertThrows(IdentityChangedException.class, () -> tofu.check("bob", 3, second));
        assertEquals(3, e.change().pinnedKeyVersion());
        assertEquals(3, e.change().newKeyVersion());
        assertEquals(1, warnings.size());
    }

    @Test
    void pinsAreKeptPerUser() {
        tofu.check("bob", 1, first);
        assertDoesNotThrow(() -> tofu.check("carol", 1, second));
        assertThrows(IdentityChangedException.class, () -> tofu.check("carol", 1, first));
    }

    @Test
    void anOlderVersionFirstSeenBelowThePinIsHistoryNotAWarning() {
        tofu.check("bob", 2, second);
        assertDoesNotThrow(() -> tofu.check("bob", 1, first));
        assertThrows(IdentityChangedException.class, () -> tofu.check("bob", 1, second),
                "once seen, an old version cannot change either");
    }

    @Test
    void pinsSurviveExportAndLoadSoAChangeIsStillCaughtInTheNextProcess() {
        List<Integer> pinChanges = new ArrayList<>();
        tofu.addPinListener(() -> pinChanges.add(pinChanges.size()));
        tofu.check("bob", 2, second);
        tofu.check("bob", 1, first);
        tofu.check("carol", 1, first);
        assertEquals(3, pinChanges.size(), "first sight, history and a second user each change the pins");
        tofu.check("bob", 2, second);
        assertEquals(3, pinChanges.size(), "a known fingerprint changes nothing");

        String exported = tofu.export();
        assertEquals("bob 1 " + first + " history\nbob 2 " + second + " pinned\ncarol 1 " + first + " pinned\n",
                exported);
        TofuStore next = new TofuStore();
        next.load(exported);
        assertEquals(second, next.pinnedFingerprint("bob"));
        assertDoesNotThrow(() -> next.check("bob", 1, first));
        String third = Identity.generate(3).publicIdentity().fingerprintHex();
        assertThrows(IdentityChangedException.class, () -> next.check("bob", 3, third));
        assertThrows(IdentityChangedException.class, () -> next.check("carol", 1, second));
        assertEquals(exported, next.export(), "refused changes are not pinned");
    }

    @Test
    void malformedPinsAreRefusedWhole() {
        tofu.check("bob", 1, first);
        String good = tofu.export();
        for (String bad : List.of("bob 1 " + first, "bob x " + first + " pinned", "bob 1 abc pinned",
                "bob 1 " + first + " trusted", "bob 1 " + first + " history")) {
            TofuStore other = new TofuStore();
            assertThrows(IllegalArgumentException.class, () -> other.load("carol 1 " + second + " pinned\n" + bad),
                    bad);
            assertNull(other.pinnedFingerprint("carol"), "nothing loaded from a malformed file: " + bad);
        }
        assertEquals(good, tofu.export());
    }

    @Test
    void mergeTakesOverOtherUsersAndNewerAcceptedVersionsButKeepsWhatItVerified() {
        String third = Identity.generate(3).publicIdentity().fingerprintHex();
        tofu.check("bob", 1, first);
        tofu.check("carol", 1, first);
        TofuStore other = new TofuStore();
        other.check("bob", 1, first);
        other.accept("bob", 2, second); // accepted in the other process after comparing numbers
        other.check("dave", 1, third);
        other.check("carol", 1, second); // a different key for the same version: ours stays

        tofu.merge(other.export());
        assertEquals(second, tofu.pinnedFingerprint("bob"));
        assertDoesNotThrow(() -> tofu.check("bob", 1, first));
        assertEquals(third, tofu.pinnedFingerprint("dave"));
        assertEquals(first, tofu.pinnedFingerprint("carol"));
        assertThrows(IdentityChangedException.class, () -> tofu.check("carol", 1, second));
        assertThrows(IllegalArgumentException.class, () -> tofu.merge("bob 1 nope pinned"));
        assertEquals(second, tofu.pinnedFingerprint("bob"), "a malformed merge changes nothing");
    }
}
