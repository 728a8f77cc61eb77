package org.e2echat.gateway.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * userId → that user's live connections on this instance. Delivery writes an already encoded
 * frame to each connection of each recipient; a connection whose queue overflows is closed (the
 * client reconnects and catches up), so a slow client never holds up the others.
 *
 * <p>A user's connections are an immutable list replaced on every change (under the map's lock
 * for that user): most users hold one connection, which then costs one small list and no set of
 * its own, and delivery reads the list without copying it.
 */
public final class ConnectionRegistry {

    /** Closing a connection that fell behind: reconnect and catch up by seq. */
    public static final int TRY_AGAIN_LATER = 1013;

    private final Map<String, List<Link>> byUser = new ConcurrentHashMap<>();
    private final int maxPerUser;

    public ConnectionRegistry(int maxPerUser) {
        this.maxPerUser = maxPerUser;
    }

    /** Registers the link; false when its user already has the maximum number of connections. */
    public boolean add(Link link) {
        boolean[] added = {false};
        byUser.compute(link.userId(), (user, links) -> {
            if (links == null) {
                added[0] = maxPerUser > 0;
                return added[0] ? List.of(link) : null;
            }
            if (links.size() >= maxPerUser || links.contains(link)) {
                return links;
            }
            List<Link> more = new ArrayList<>(links.size() + 1);
            more.addAll(links);
            more.add(link);
            added[0] = true;
            return List.copyOf(more);
        });
        return added[0];
    }

    public void remove(Link link) {
        byUser.computeIfPresent(link.userId(), (user, links) -> {
            if (!links.contains(link)) {
                return links;
            }
            List<Link> rest = links.stream().filter(l -> l != link).toList();
            return rest.isEmpty() ? null : rest;
        });
    }

    /**
     * Writes {@code frame} (UTF-8 bytes, shared by every recipient) to every live connection of every
     * recipient here; returns how many got it.
     */
    public int deliver(Collection<String> recipients, byte[] frame) {
        int delivered = 0;
        for (String user : recipients) {
            List<Link> links = byUser.get(user);
            if (links == null) {
                continue;
            }
            for (Link link : links) {
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
        List<Link> links = byUser.remove(userId);
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
        return closeWhere(link -> link.lastHeardNanos() - cutoffNanos < 0, code, reason);
    }

    /**
     * Closes every connection whose token expired at or before {@code nowMillis} (one sweep over all
     * connections instead of a timer per connection). Returns how many were closed.
     */
    public int closeExpired(long nowMillis, int code, String reason) {
        return closeWhere(link -> link.expiresAtMillis() <= nowMillis, code, reason);
    }

    private int closeWhere(Predicate<Link> condition, int code, String reason) {
        int closed = 0;
        for (List<Link> links : byUser.values()) {
            for (Link link : links) {
                if (condition.test(link)) {
                    remove(link);
                    link.close(code, reason);
                    closed++;
                }
            }
        }
        return closed;
    }

    public int connections(String userId) {
        List<Link> links = byUser.get(userId);
        return links == null ? 0 : links.size();
    }
}
