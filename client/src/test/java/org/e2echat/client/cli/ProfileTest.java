package org.e2echat.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.e2echat.client.crypto.Identity;
import org.e2echat.client.sdk.TofuStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two CLI runs on one --home pinning at the same time keep each other's pins. */
class ProfileTest {

    @TempDir
    Path home;

    @Test
    void concurrentPinWritersMergeInsteadOfOverwriting() throws Exception {
        Profile profile = new Profile(home);
        String fingerprint = Identity.generate(1).publicIdentity().fingerprintHex();
        List<TofuStore> runs = List.of(new TofuStore(), new TofuStore());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < runs.size(); r++) {
            TofuStore tofu = runs.get(r);
            String prefix = "run" + r + "-user";
            profile.attachPins(tofu);
            done.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    tofu.check(prefix + i, 1, fingerprint);
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        TofuStore reread = new TofuStore();
        reread.load(profile.pins());
        for (int r = 0; r < runs.size(); r++) {
            for (int i = 0; i < 25; i++) {
                assertEquals(fingerprint, reread.pinnedFingerprint("run" + r + "-user" + i), "run" + r + " user" + i);
            }
        }
    }
}
