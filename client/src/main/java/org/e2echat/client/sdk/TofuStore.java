package org.e2echat.client.sdk;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Trust-on-first-use pins of contacts' identities (crypto.md §10): the first fingerprint seen for
 * a user is pinned; any different fingerprint later (a new key version, or the same version with
 * other keys) is reported to the listeners and refused until {@link #accept} is called.
 *
 * <p>Pins outlive one process through {@link #export()} and {@link #load(String)}, and several
 * processes sharing them combine theirs with {@link #merge(String)}; pin listeners run after
 * every change to the pins so a caller can write them out at once.
 */
public final class TofuStore {

    /** A pinned identity: the newest key version accepted for a user, and every version's fingerprint. */
    private static final class Pin {
        int keyVersion;
        String fingerprint;
        final Map<Integer, String> byVersion = new TreeMap<>();
    }

    private static final String HEX_FINGERPRINT = "[0-9a-f]{64}";

    private final Map<String, Pin> pins = new HashMap<>();
    private final List<Consumer<IdentityChange>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> pinListeners = new CopyOnWriteArrayList<>();

    public void addListener(Consumer<IdentityChange> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** {@code listener} runs after every change to the pins: first sight, history, acceptance. */
    public void addPinListener(Runnable listener) {
        pinListeners.add(Objects.requireNonNull(listener));
    }

    /**
     * Checks a fingerprint seen for {@code userId} at {@code keyVersion}; pins it on first sight.
     * Older versions the user had before the pin are accepted as history only when first seen
     * below the pinned version, because a server could otherwise present an old key as new.
     *
     * @throws IdentityChangedException the fingerprint differs from what was pinned
     */
    public void check(String userId, int keyVersion, String fingerprint) {
        IdentityChange change = null;
        boolean pinned = false;
        synchronized (this) {
            Pin pin = pins.get(userId);
            String known = pin == null ? null : pin.byVersion.get(keyVersion);
            if (pin == null) {
                pin = new Pin();
                pin.keyVersion = keyVersion;
                pin.fingerprint = fingerprint;
                pin.byVersion.put(keyVersion, fingerprint);
                pins.put(userId, pin);
                pinned = true;
            } else if (fingerprint.equals(known)) {
                return;
            } else if (known == null && keyVersion < pin.keyVersion) {
                // History: a superseded version that signed old messages; it cannot receive new envelopes.
                pin.byVersion.put(keyVersion, fingerprint);
                pinned = true;
            } else {
                change = new IdentityChange(userId, pin.keyVersion, pin.fingerprint, keyVersion, fingerprint);
            }
        }
        if (pinned) {
            pinListeners.forEach(Runnable::run);
            return;
        }
        IdentityChange reported = change;
        listeners.forEach(l -> l.accept(reported));
        throw new IdentityChangedException(reported);
    }

    /** The user has compared safety numbers (or otherwise accepted the change): pin the new identity. */
    public void accept(String userId, int keyVersion, String fingerprint) {
        synchronized (this) {
            Pin pin = pins.computeIfAbsent(userId, u -> new Pin());
            pin.byVersion.put(keyVersion, fingerprint);
            if (keyVersion >= pin.keyVersion || pin.fingerprint == null) {
                pin.keyVersion = keyVersion;
                pin.fingerprint = fingerprint;
            }
        }
        pinListeners.forEach(Runnable::run);
    }

    /** The pinned fingerprint of a user's newest accepted version, or null if never seen. */
    public synchronized String pinnedFingerprint(String userId) {
        Pin pin = pins.get(userId);
        return pin == null ? null : pin.fingerprint;
    }

    /**
     * Every pin as text, one line per user and key version, sorted:
     * {@code userId SP keyVersion SP fingerprintHex SP ("pinned" | "history")}.
     */
    public synchronized String export() {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(pins).forEach((user, pin) -> pin.byVersion.forEach((version, fp) -> out.append(user)
                .append(' ').append(version).append(' ').append(fp).append(' ')
                .append(version == pin.keyVersion ? "pinned" : "history").append('\n')));
        return out.toString();
    }

    /**
     * Restores pins written by {@link #export()}, replacing any pin held for the same users.
     * Nothing changes when any line is malformed.
     *
     * @throws IllegalArgumentException a line is not in the export format
     */
    public void load(String exported) {
        Map<String, Pin> loaded = parse(exported);
        synchronized (this) {
            pins.putAll(loaded);
        }
    }

    /**
     * Adds what another holder of the same pins (another process on the same profile) exported:
     * users and key versions not pinned here are taken over, and a newer accepted version replaces
     * the one pinned here. Where both hold the same version with different fingerprints, this
     * store's stays: it is the one this process verified.
     *
     * @throws IllegalArgumentException a line is not in the export format
     */
    public void merge(String exported) {
        Map<String, Pin> other = parse(exported);
        synchronized (this) {
            other.forEach((user, theirs) -> {
                Pin mine = pins.get(user);
                if (mine == null) {
                    pins.put(user, theirs);
                    return;
                }
                theirs.byVersion.forEach(mine.byVersion::putIfAbsent);
                if (theirs.keyVersion > mine.keyVersion) {
                    mine.keyVersion = theirs.keyVersion;
                    mine.fingerprint = mine.byVersion.get(theirs.keyVersion);
                }
            });
        }
    }

    private static Map<String, Pin> parse(String exported) {
        Map<String, Pin> loaded = new HashMap<>();
        int lineNo = 0;
        for (String line : exported.split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            if (f.length != 4 || f[0].isEmpty() || !f[1].matches("[1-9][0-9]{0,8}") || !f[2].matches(HEX_FINGERPRINT)
                    || !(f[3].equals("pinned") || f[3].equals("history"))) {
                throw new IllegalArgumentException("pin line " + lineNo + " is malformed");
            }
            Pin pin = loaded.computeIfAbsent(f[0], u -> new Pin());
            int version = Integer.parseInt(f[1]);
            pin.byVersion.put(version, f[2]);
            if (f[3].equals("pinned")) {
                pin.keyVersion = version;
                pin.fingerprint = f[2];
            }
        }
        for (var e : loaded.entrySet()) {
            if (e.getValue().fingerprint == null) {
                throw new IllegalArgumentException("no pinned version for " + e.getKey());
            }
        }
        return loaded;
    }
}
