package io.switchboard.model;

import java.util.Objects;

/**
 * One entry of {@code spec.ports}.
 *
 * @param name        port name, empty when the Service has a single unnamed port
 * @param protocol    transport protocol
 * @param port        the port served on every Service address
 * @param targetPort  where endpoints listen
 * @param nodePort    the node port, or 0 when there is none
 * @param appProtocol the {@code appProtocol} field, or empty
 */
public record ServicePort(String name, Protocol protocol, int port, TargetPort targetPort, int nodePort,
                          String appProtocol) {

    public ServicePort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(targetPort, "targetPort");
        Objects.requireNonNull(appProtocol, "appProtocol");
    }

    /** This port's identity within its Service. */
    public ServicePortName nameIn(ServiceId service) {
        return new ServicePortName(service, name, protocol);
    }
}
