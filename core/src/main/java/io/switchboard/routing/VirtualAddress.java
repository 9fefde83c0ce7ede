package io.switchboard.routing;

import io.switchboard.model.HostPort;
import io.switchboard.model.Protocol;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An address, port and protocol a Service answers on: the key of the routing table, like an IPVS
 * virtual service.
 */
public record VirtualAddress(InetAddress address, int port, Protocol protocol) implements Comparable<VirtualAddress> {

    public VirtualAddress {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    // Written out rather than generated: generated record methods run through method handles that are
    // slow until compiled, and a first load of 50,000 Services hashes these keys in its first seconds.
    // The hash is the generated one (31 * h + each component).
    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof VirtualAddress o && port == o.port && protocol == o.protocol
                && address.equals(o.address);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * address.hashCode() + Integer.hashCode(port)) + protocol.hashCode();
    }

    @Override
    public int compareTo(VirtualAddress o) {
        int c = protocol.compareTo(o.protocol);
        if (c != 0) {
            return c;
        }
        c = java.util.Arrays.compare(address.getAddress(), o.address.getAddress());
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return HostPort.of(address, port) + "/" + protocol;
    }
}
