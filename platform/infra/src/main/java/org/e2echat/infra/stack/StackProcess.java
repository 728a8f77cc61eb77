package org.e2echat.infra.stack;

import java.nio.file.Path;

/**
 * What the local stack reports about one of its processes at one moment, so tests can pick a
 * replica to kill and find its log.
 *
 * @param name {@code infra}, the service's name when it runs one replica, else {@code <service>-<n>}
 * @param service the service, or {@code null} for the infra process
 * @param replica 1-based replica number, 0 for the infra process
 * @param pid the running process, or -1 while there is none (crashed, waiting to restart)
 * @param port the port it listens on itself (a replica's own port, not the published one; the
 *     MongoDB-wire port for infra)
 * @param log where its output goes; a restarted process appends to the same file
 * @param state where its supervisor is
 * @param restarts how many times it has been started again after exiting
 */
public record StackProcess(String name, ServiceSpec service, int replica, long pid, int port, Path log, State state,
        int restarts) {

    /** The supervisor's view of a process. */
    public enum State {
        /** Launched, not ready yet. */
        STARTING,
        /** Ready; a service replica receives connections from its published port. */
        UP,
        /** Exited; waiting out the backoff delay before starting it again. */
        RESTARTING,
        /** Stopped with the stack, or never came up the first time; it will not be started again. */
        STOPPED
    }
}
