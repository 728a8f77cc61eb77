package org.e2echat.client.sdk;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Trust-on-first-use pins of contacts' identities (crypto.md §10): the first fingerprint seen for
 * a user is pinned; any different fingerprint later (a new key version, or the same version with
 * other keys) is reported to the listeners and refused until {@link #accept} is called.
 */
public final class TofuStore {

    /** A pinned identity: the newest key version accepted for a user, and every version's fingerprint. */
    private static final class Pin {
        int keyVersion;
        String fingerprint;
        final Map<Integer, String> byVersion = new HashMap<>();
    }

    private final Map<String, Pin> pins = new HashMap<>();
    private final List<Consumer<IdentityChange>> listeners = new CopyOnWriteArrayList<>();

    public void addListener(Consumer<IdentityChange> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /**
     * Checks a fingerprint seen for {@code userId} at {@code keyVersion}; pins it on first sight.
     * Older versions the user had before the pin are accepted as history only when first seen
     * below the pinned version, because a server could otherwise present an old key as new.
     *
     * @throws IdentityChangedException the fingerprint differs from what was pinned
     */
    public void check(String userId, int keyVersion, String fingerprint) {
        IdentityChange change;
        synchronized (this) {
            Pin pin = pins.get(userId);
            if (pin == null) {
                pin = new Pin();
                pin.keyVersion = keyVersion;
                pin.fingerprint = fingerprint;
                pin.byVersion.put(keyVersion, fingerprint);
                pins.put(userId, pin);
                return;
            }
            String known = pin.byVersion.get(keyVersion);
            if (fingerprint.equals(known)) {
                return;
            }
            if (known == null && keyVersion < pin.keyVersion) {
                // History: a superseded version that signed old messages; it cannot receive new envelopes.
                pin.byVersion.put(keyVersion, fingerprint);
                return;
            }
            change = new IdentityChange(userId, pin.keyVersion, pin.fingerprint, keyVersion, fingerprint);
        }
        listeners.forEach(l -> l.accept(change));
        throw new IdentityChangedException(change);
    }

    /** The user has compared safety numbers (or otherwise accepted the change): pin the new identity. */
    public synchronized void accept(String userId, int keyVersion, String fingerprint) {
        Pin pin = pins.computeIfAbsent(userId, u -> new Pin());
        pin.byVersion.put(keyVersion, fingerprint);
        if (keyVersion >= pin.keyVersion || pin.fingerprint == null) {
            pin.keyVersion = keyVersion;
            pin.fingerprint = fingerprint;
        }
    }

    /** The pinned fingerprint of a user's newest accepted version, or null if never seen. */
    public synchronized String pinnedFingerprint(String userId) {
        Pin pin = pins.get(userId);
        return pin == null ? null : pin.fingerprint;
    }
}
