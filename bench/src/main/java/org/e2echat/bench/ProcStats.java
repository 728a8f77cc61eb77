package org.e2echat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux's /proc says about a process: CPU time (user + system), resident memory and open
 * file descriptors. Per-process CPU is how the bench charges each message to the process that
 * spent it, whatever else runs on the machine.
 */
public final class ProcStats {

    /** USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every Linux this runs on). */
    private static final double TICK_NANOS = 1e9 / 100;

    private ProcStats() {
    }

    /** A reading of one process. */
    public record Sample(long pid, long cpuNanos, long rssBytes, int fds, long wallNanos) {

        /** CPU spent between {@code earlier} and this sample. */
        public long cpuSince(Sample earlier) {
            return cpuNanos - earlier.cpuNanos;
        }

        /** Share of one core used between {@code earlier} and this sample. */
        public double coresSince(Sample earlier) {
            long wall = wallNanos - earlier.wallNanos;
            return wall <= 0 ? 0 : (double) cpuSince(earlier) / wall;
        }
    }

    public static Sample sample(long pid) {
        return new Sample(pid, cpuNanos(pid), rssBytes(pid), fds(pid), System.nanoTime());
    }

    /** utime + stime of the process (all its threads). */
    public static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return (long) (ticks * TICK_NANOS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** VmRSS of the process in bytes, or -1. */
    public static long rssBytes(long pid) {
        String line = line(pid, "status", "VmRSS:");
        return line == null ? -1 : Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }

    /** The first line of /proc/PID/FILE that starts with {@code prefix}, or null. */
    private static String line(long pid, String file, String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), file))) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return null;
    }

    public static int fds(long pid) {
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The soft open-files limit of the process ("Max open files" in /proc/PID/limits), or -1. */
    public static long openFilesLimit(long pid) {
        String line = line(pid, "limits", "Max open files");
        return line == null ? -1 : Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
    }

    /** A short description of the machine for the report: cores, CPU model, memory, kernel. */
    public static String machine() {
        String model = "?";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            // keep "?"
        }
        long memKb = 0;
        try {
            memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0);
        } catch (IOException e) {
            // keep 0
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + model + "), "
                + Math.round(memKb / 1024.0 / 1024.0) + " GB RAM, " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.version");
    }

    /** The machine's load average over the last minute (other work competing for the cores). */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
