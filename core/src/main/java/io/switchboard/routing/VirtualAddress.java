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
