package io.switchboard.routing;

import io.switchboard.model.Service;
import io.switchboard.model.ServicePort;
import java.util.Objects;

/**
 * What answers on one {@link VirtualAddress}: a port of a Service and the pool its connections go to.
 *
 * @param address the address, port and protocol
 * @param kind    cluster IP, external IP, load-balancer IP or node port
 * @param service the Service
 * @param port    the Service port
 * @param pool    where connections go
 */
public record VirtualService(VirtualAddress address, AddressKind kind, Service service, ServicePort port,
                             BackendPool pool) {

    public VirtualService {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(pool, "pool");
    }
}
