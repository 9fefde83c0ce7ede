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

    @Override
    public String toString() {
        return service + ":" + port + "/" + protocol;
    }
}
