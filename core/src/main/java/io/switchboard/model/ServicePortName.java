package io.switchboard.model;

import java.util.Objects;

/**
 * Names one port of one Service, the unit kube-proxy balances: {@code namespace/name:port/PROTOCOL}.
 * The port name is empty for an unnamed single-port Service.
 */
public record ServicePortName(ServiceId service, String port, Protocol protocol) {

    public ServicePortName {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(protocol, "protocol");
    }

    // Written out rather than generated: generated record methods run through method handles that are
    // slow until compiled, and a first load of 50,000 Services hashes these keys in its first seconds.
    // The hash is the generated one (31 * h + each component).
    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof ServicePortName o && protocol == o.protocol && port.equals(o.port)
                && service.equals(o.service);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * service.hashCode() + port.hashCode()) + protocol.hashCode();
    }

    @Override
    public String toString() {
        return service + ":" + port + "/" + protocol;
    }
}
