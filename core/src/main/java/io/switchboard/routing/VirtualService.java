package io.switchboard.routing;

import io.switchboard.model.Service;
import io.switchboard.model.ServicePort;
import java.net.InetAddress;
import java.util.Objects;

/**
 * What answers on one {@link VirtualAddress}: a port of a Service and the pool its connections go to.
 *
 * @param address the address, port and protocol
 * @param kind    cluster IP, external IP, load-balancer IP or node port
 * @param service the Service
 * @param port    the Service port
 * @param pool    where connections go
 * @param sources the clients admitted ({@code loadBalancerSourceRanges} on a load-balancer IP)
 */
public record VirtualService(VirtualAddress address, AddressKind kind, Service service, ServicePort port,
                             BackendPool pool, SourceRanges sources) {

    public VirtualService {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(sources, "sources");
    }

    /** One that admits every client. */
    public VirtualService(VirtualAddress address, AddressKind kind, Service service, ServicePort port,
                          BackendPool pool) {
        this(address, kind, service, port, pool, SourceRanges.ANY);
    }

    /** True when {@code client} may connect (or send) here. */
    public boolean admits(InetAddress client) {
        return sources.admits(client, address.address());
    }
}
