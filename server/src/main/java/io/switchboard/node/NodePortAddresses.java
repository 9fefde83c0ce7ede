package io.switchboard.node;

import io.switchboard.kubernetes.IpLiteral;
import io.switchboard.model.Cidr;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code --nodeport-addresses} to the addresses node ports are bound on, as kube-proxy reads
 * the flag: each entry is a CIDR, meaning every local address inside it ({@code 0.0.0.0/0} and
 * {@code ::/0} mean every local address of that family, bound as one wildcard socket), or
 * {@code primary}, meaning the node's primary address of each family (the source address of its
 * default route). A plain IP is taken as itself, so {@code 127.0.0.1} and {@code 0.0.0.0} keep working.
 * IPv6 link-local addresses are left out: they cannot be bound without a scope.
 */
public final class NodePortAddresses {

    private static final Logger LOG = LoggerFactory.getLogger(NodePortAddresses.class);
    /** The special entry for the node's primary addresses. */
    public static final String PRIMARY = "primary";

    /** What the resolution asks of the machine; {@link #SYSTEM} asks this one. */
    public interface Host {
        /** Every address on an interface that is up. */
        List<InetAddress> localAddresses();

        /** The source address of the default route of a family, if there is one. */
        Optional<InetAddress> primary(boolean ipv6);
    }

    private NodePortAddresses() {
    }

    /**
     * The addresses for {@code entries}, in order and without repeats.
     *
     * @throws IllegalArgumentException naming the entry that is neither an IP, a CIDR nor
     *                                  {@code primary}, or {@code primary} on a node with no default route
     */
    public static List<InetAddress> resolve(List<String> entries, Host host) {
        Set<InetAddress> out = new LinkedHashSet<>();
        List<InetAddress> local = null;
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.equals(PRIMARY)) {
                List<InetAddress> primary = new ArrayList<>();
                host.primary(false).ifPresent(primary::add);
                host.primary(true).ifPresent(primary::add);
                if (primary.isEmpty()) {
                    throw new IllegalArgumentException("\"primary\": this node has no default route to take"
                            + " its primary address from; give CIDRs instead");
                }
                out.addAll(primary);
                continue;
            }
            if (!entry.contains("/")) {
                out.add(IpLiteral.parse(entry));
                continue;
            }
            Cidr cidr = IpLiteral.cidr(entry);
            if (cidr.prefix() == 0) {
                out.add(cidr.address());
                continue;
            }
            if (local == null) {
                local = host.localAddresses();
            }
            int before = out.size();
            for (InetAddress a : local) {
                if (cidr.contains(a) && !(a instanceof Inet6Address && a.isLinkLocalAddress())) {
                    out.add(a);
                }
            }
            if (out.size() == before) {
                LOG.atWarn().addKeyValue("cidr", cidr).log("--nodeport-addresses: no local address is inside"
                        + " this block; node ports are not served on it");
            }
        }
        return dropCoveredByWildcard(out);
    }

    /** A wildcard of a family serves every address of it; a specific one beside it would only collide. */
    private static List<InetAddress> dropCoveredByWildcard(Set<InetAddress> addresses) {
        boolean any4 = addresses.stream().anyMatch(a -> a.isAnyLocalAddress() && !(a instanceof Inet6Address));
        boolean any6 = addresses.stream().anyMatch(a -> a.isAnyLocalAddress() && a instanceof Inet6Address);
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress a : addresses) {
            boolean v6 = a instanceof Inet6Address;
            if (a.isAnyLocalAddress() || !(v6 ? any6 : any4)) {
                out.add(a);
            }
        }
        return out;
    }

    /** This machine's interfaces and routes. */
    public static final Host SYSTEM = new Host() {
        @Override
        public List<InetAddress> localAddresses() {
            List<InetAddress> out = new ArrayList<>();
            try {
                for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                    if (nic.isUp()) {
                        nic.inetAddresses().forEach(out::add);
                    }
                }
            } catch (SocketException e) {
                throw new UncheckedIOException("cannot list this node's network interfaces", e);
            }
            return out;
        }

        @Override
        public Optional<InetAddress> primary(boolean ipv6) {
            // Connecting a datagram socket sends nothing: the kernel only picks the route and its source.
            try (DatagramSocket s = new DatagramSocket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(ipv6 ? "2001:db8::1" : "192.0.2.1"), 9));
                InetAddress a = s.getLocalAddress();
                return a == null || a.isAnyLocalAddress() || a.isLoopbackAddress() ? Optional.empty() : Optional.of(a);
            } catch (java.io.IOException e) {
                // No route of that family: no primary address of it.
                LOG.atDebug().addKeyValue("ipv6", ipv6).addKeyValue("cause", e.getMessage()).log("no default route");
                return Optional.empty();
            }
        }
    };
}
