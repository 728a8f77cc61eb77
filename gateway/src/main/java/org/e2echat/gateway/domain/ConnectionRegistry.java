package org.e2echat.gateway.domain;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * userId → that user's live connections on this instance. Delivery writes an already encoded
 * frame to each connection of each recipient; a connection whose queue overflows is closed (the
 * client reconnects and catches up), so a slow client never holds up the others.
 */
public final class ConnectionRegistry {

    /** Closing a connection that fell behind: reconnect and catch up by seq. */
    public static final int TRY_AGAIN_LATER = 1013;

    private final Map<String, Set<Link>> byUser = new ConcurrentHashMap<>();
    private final int maxPerUser;

    public ConnectionRegistry(int maxPerUser) {
        this.maxPerUser = maxPerUser;
    }

    /** Registers the link; false when its user already has the maximum number of connections. */
    public boolean add(Link link) {
        boolean[] added = {false};
        byUser.compute(link.userId(), (user, links) -> {
            Set<Link> set = links == null ? ConcurrentHashMap.newKeySet() : links;
            if (set.size() < maxPerUser) {
                set.add(link);
                added[0] = true;
            }
            return set;
        });
        return added[0];
    }

    public void remove(Link link) {
        byUser.computeIfPresent(link.userId(), (user, links) -> {
            links.remove(link);
            return links.isEmpty() ? null : links;
        });
    }

    /** Writes {@code frame} to every live connection of every recipient here; returns how many got it. */
    public int deliver(Collection<String> recipients, String frame) {
        int delivered = 0;
        for (String user : recipients) {
            Set<Link> links = byUser.get(user);
            if (links == null) {
                continue;
            }
            for (Link link : List.copyOf(links)) {
                if (link.offer(frame)) {
                    delivered++;
                } else {
                    remove(link);
                    link.close(TRY_AGAIN_LATER, "outbound queue full; reconnect and catch up");
                }
            }
        }
        return delivered;
    }

    /** Closes every connection of {@code userId}. */
    public CompletableFuture<Void> closeUser(String userId, int code, String reason) {
        Set<Link> links = byUser.remove(userId);
        if (links == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(links.stream().map(l -> l.close(code, reason).toCompletableFuture())
                .toArray(CompletableFuture[]::new));
    }

    /** Closes everything (shutdown); completes when every close frame has been written. */
    public CompletableFuture<Void> closeAll(int code, String reason) {
        return CompletableFuture.allOf(List.copyOf(byUser.keySet()).stream()
                .map(user -> closeUser(user, code, reason)).toArray(CompletableFuture[]::new));
    }

    /**
     * Closes every connection that has sent nothing, not even a pong to the server's pings, since
     * {@code cutoffNanos} ({@link System#nanoTime()} scale): a dead peer whose TCP connection was
     * never closed. Returns how many were closed.
     */
    public int reapSilentSince(long cutoffNanos, int code, String reason) {
        int reaped = 0;
        for (Set<Link> links : List.copyOf(byUser.values())) {
            for (Link link : List.copyOf(links)) {
                if (link.lastHeardNanos() - cutoffNanos < 0) {
                    remove(link);
                    link.close(code, reason);
                    reaped++;
                }
            }
        }
        return reaped;
    }

    public int connections(String userId) {
        Set<Link> links = byUser.get(userId);
        return links == null ? 0 : links.size();
    }
}
