package org.e2echat.common.ratelimit;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The address a request came from, for per-address limits. {@code X-Forwarded-For} is believed
 * only when the connection comes from a configured proxy ({@code e2echat.http.trusted-proxies},
 * addresses or CIDR ranges; none by default), and it is read from the right: each proxy appends
 * the address it received the request from, so the rightmost entry that is not itself a trusted
 * proxy is the client. Entries to its left were written by the client and prove nothing.
 */
@ApplicationScoped
public class ClientAddress {

    /** An IPv4 or IPv6 literal; never a name (resolving one would be a DNS lookup per request). */
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private final List<Range> trusted;

    public ClientAddress(@ConfigProperty(name = "e2echat.http.trusted-proxies") Optional<List<String>> trusted) {
        this.trusted = trusted.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).map(Range::parse)
                .toList();
    }

    public String of(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        return resolve(peer, request.headers().getAll("X-Forwarded-For"));
    }

    /** {@code peer}: the socket's address; {@code forwarded}: every X-Forwarded-For header, in order. */
    String resolve(String peer, List<String> forwarded) {
        if (!isTrusted(peer)) {
            return peer;
        }
        String client = peer;
        List<String> hops = forwarded.stream().flatMap(h -> java.util.Arrays.stream(h.split(","))).map(String::trim)
                .toList();
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (address(hop) == null) {
                return client; // garbage where an address belongs: stop at the last good hop
            }
            client = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        InetAddress a = address(address);
        return a != null && trusted.stream().anyMatch(r -> r.contains(a));
    }

    private static InetAddress address(String literal) {
        if (literal == null || literal.isEmpty() || !LITERAL.matcher(literal).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An address range: {@code a.b.c.d/n}, an IPv6 range, or one address. */
    record Range(byte[] network, int prefix) {

        static Range parse(String cidr) {
            String[] parts = cidr.split("/", 2);
            InetAddress a = address(parts[0]);
            if (a == null) {
                throw new IllegalArgumentException("e2echat.http.trusted-proxies: not an address or range: " + cidr);
            }
            int bits = a.getAddress().length * 8;
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("e2echat.http.trusted-proxies: bad prefix in " + cidr);
            }
            return new Range(a.getAddress(), prefix);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
