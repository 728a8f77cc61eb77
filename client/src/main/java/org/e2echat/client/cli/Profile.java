package org.e2echat.client.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.e2echat.client.crypto.CryptoException;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.KeyAtRest;
import org.e2echat.client.sdk.TofuStore;

/**
 * The CLI's state on disk: who this is (user id, username) and every identity version, each
 * sealed with the password (Argon2id + AES-256-GCM, crypto.md §8), and the contacts'
 * fingerprints pinned on first use ({@code pins.txt}, public data), so a key changed between two
 * runs is still caught, and the refresh token of the login short commands continue (sealed with
 * the password like the keys, so a burst of commands does not spend a login attempt each). No key
 * or token is readable without the password; no plaintext is ever written.
 */
final class Profile {

    private static final String PINS = "pins.txt";
    private static final String LOGIN = "login.sealed";

    private final Path dir;

    Profile(Path dir) {
        this.dir = dir;
    }

    record Saved(String userId, String username, List<Identity> identities) {
    }

    boolean exists() {
        return Files.isRegularFile(dir.resolve("profile.properties"));
    }

    void save(String userId, String username, Identity identity, char[] password) throws IOException {
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("userId", userId);
        p.setProperty("username", username);
        try (Writer w = Files.newBufferedWriter(dir.resolve("profile.properties"))) {
            p.store(w, "e2echat CLI profile");
        }
        Path key = dir.resolve("identity-" + identity.keyVersion() + ".key");
        Files.write(key, KeyAtRest.seal(identity.privateKeys(), password));
        ownerOnly(key);
    }

    Saved load(char[] password) throws IOException, CryptoException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("profile.properties"))) {
            p.load(r);
        }
        List<Identity> identities = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("identity-\\d+\\.key")).toList()) {
                identities.add(Identity.fromPrivateKeys(KeyAtRest.open(Files.readAllBytes(f), password)));
            }
        }
        return new Saved(p.getProperty("userId"), p.getProperty("username"), identities);
    }

    /** The pins saved by earlier runs, in {@code TofuStore.export()} form; empty when none. */
    String pins() throws IOException {
        Path file = dir.resolve(PINS);
        return Files.isRegularFile(file) ? Files.readString(file) : "";
    }

    /**
     * Makes {@code tofu} start from the pins saved by earlier runs and write every new pin here
     * before it is relied on, merged with what another run on this --home pinned meanwhile.
     *
     * @throws IOException the saved pins are damaged or unreadable
     */
    void attachPins(TofuStore tofu) throws IOException {
        try {
            tofu.load(pins());
        } catch (IllegalArgumentException e) {
            throw new IOException("the pinned keys in this --home are damaged (" + e.getMessage()
                    + "); restore pins.txt or remove it to pin again on first use");
        }
        tofu.addPinListener(() -> {
            try {
                updatePins(onDisk -> {
                    tofu.merge(onDisk);
                    return tofu.export();
                });
            } catch (IOException | IllegalArgumentException e) {
                throw new UncheckedIOException("cannot save pinned keys: " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
        });
    }

    /**
     * Rewrites the saved pins as {@code update} computes them from what is on disk now, holding a
     * lock on the profile so two CLI processes (a {@code chat} and a short command) do not lose
     * each other's pins.
     */
    private void updatePins(UnaryOperator<String> update) throws IOException {
        locked(PINS, () -> {
            replace(PINS, update.apply(pins()).getBytes(StandardCharsets.UTF_8), false);
            return null;
        });
    }

    /**
     * Runs {@code work} holding the profile's login lock, so two CLI runs never spend the same
     * refresh token (the server would take the second use for theft and revoke the login).
     */
    <T> T underLoginLock(LockedWork<T> work) throws IOException {
        return locked(LOGIN, work);
    }

    /** Work done while holding one of the profile's file locks. */
    interface LockedWork<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} holding {@code <name>.lock}: against other CLI processes and other threads here. */
    private synchronized <T> T locked(String name, LockedWork<T> work) throws IOException {
        Files.createDirectories(dir);
        try (FileChannel lock = FileChannel.open(dir.resolve(name + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = lock.lock()) {
            return work.run();
        }
    }

    /** Replaces {@code name} in one step, so a crash leaves the old or the new file, never half of one. */
    private void replace(String name, byte[] content, boolean ownerOnly) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.write(tmp, content);
        if (ownerOnly) {
            ownerOnly(tmp);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The refresh token of the login short commands continue, or null when none is saved or it
     * does not open with this password (then the caller logs in again).
     */
    String loginToken(char[] password) throws IOException {
        Path file = dir.resolve(LOGIN);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new String(KeyAtRest.openSecret(Files.readAllBytes(file), password), StandardCharsets.UTF_8);
        } catch (CryptoException e) {
            return null;
        }
    }

    /** Saves the refresh token sealed with the password (crypto.md §8), replacing the file in one step. */
    void saveLoginToken(String refreshToken, char[] password) throws IOException {
        replace(LOGIN, KeyAtRest.sealSecret(refreshToken.getBytes(StandardCharsets.UTF_8), password), true);
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; the file is still encrypted
        }
    }

    void delete() throws IOException {
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
