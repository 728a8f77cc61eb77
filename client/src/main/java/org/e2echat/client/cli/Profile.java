package org.e2echat.client.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.e2echat.client.crypto.CryptoException;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.crypto.KeyAtRest;

/**
 * The CLI's state on disk: who this is (user id, username) and every identity version, each
 * sealed with the password (Argon2id + AES-256-GCM, crypto.md §8), and the contacts'
 * fingerprints pinned on first use ({@code pins.txt}, public data), so a key changed between two
 * runs is still caught. No private key is readable without the password; no token or plaintext is
 * ever written.
 */
final class Profile {

    private static final String PINS = "pins.txt";

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
        try {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; the file is still encrypted
        }
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

    /** Replaces the saved pins in one step, so a crash leaves the old or the new file, never half. */
    void savePins(String exported) throws IOException {
        Path tmp = dir.resolve(PINS + ".tmp");
        Files.writeString(tmp, exported);
        Files.move(tmp, dir.resolve(PINS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
