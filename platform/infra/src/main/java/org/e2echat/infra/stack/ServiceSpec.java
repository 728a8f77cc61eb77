package org.e2echat.infra.stack;

import java.util.List;

/** One of the four services as the local stack runs it: name, default port, and what it offers. */
public record ServiceSpec(String name, String envPrefix, int defaultPort, boolean websocket) {

    public static final List<ServiceSpec> ALL = List.of(
            new ServiceSpec("user-service", "USER_SERVICE", 8081, false),
            new ServiceSpec("session-service", "SESSION_SERVICE", 8082, false),
            new ServiceSpec("message-service", "MESSAGE_SERVICE", 8083, false),
            new ServiceSpec("gateway", "GATEWAY", 8080, true));

    /** The option that overrides this service's port, e.g. {@code --user-service-port}. */
    public String portOption() {
        return "--" + name + "-port";
    }
}
