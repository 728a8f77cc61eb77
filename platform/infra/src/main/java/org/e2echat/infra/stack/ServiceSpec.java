package org.e2echat.infra.stack;

import java.util.List;

/**
 * One of the four services as the local stack runs it: name, default port, what it offers, and
 * its maximum heap ({@code -Xmx}) and any other JVM options. The gateway's is sized for 19,000 connections, the most one
 * process can hold under this machine's open-files limit (at 256 MB it ran out of memory at
 * about 13,000; docs/performance.md).
 */
public record ServiceSpec(String name, String envPrefix, int defaultPort, boolean websocket, String heap,
        List<String> jvmOptions) {

    /**
     * The gateway's young generation is bounded: G1 otherwise grows it towards 60 % of the heap
     * while thousands of upgrades allocate, and every page of it it touched stays resident, although
     * what the connections keep alive is a fraction of that (docs/performance.md).
     */
    public static final List<String> GATEWAY_JVM_OPTIONS = List.of("-XX:MaxNewSize=64m", "-XX:GCTimeRatio=4",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");

    public static final List<ServiceSpec> ALL = List.of(
            new ServiceSpec("user-service", "USER_SERVICE", 8081, false, "256m", List.of()),
            new ServiceSpec("session-service", "SESSION_SERVICE", 8082, false, "256m", List.of()),
            new ServiceSpec("message-service", "MESSAGE_SERVICE", 8083, false, "256m", List.of()),
            new ServiceSpec("gateway", "GATEWAY", 8080, true, "1g", GATEWAY_JVM_OPTIONS));

    /** The option that overrides this service's port, e.g. {@code --user-service-port}. */
    public String portOption() {
        return "--" + name + "-port";
    }
}
