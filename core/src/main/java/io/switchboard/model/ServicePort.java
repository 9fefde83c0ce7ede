package io.switchboard.model;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

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

    /**
     * The {@code appProtocol} values that make a TCP port balance each HTTP request (L7) rather than
     * each connection: {@code http}, {@code kubernetes.io/h2c}, {@code grpc}, {@code kubernetes.io/ws}.
     */
    public static final Set<String> REQUEST_PROTOCOLS = Set.of("http", "kubernetes.io/h2c", "grpc",
            "kubernetes.io/ws");

    /** True when this port balances requests, not connections (see {@link #REQUEST_PROTOCOLS}). */
    public boolean balancesRequests() {
        return protocol == Protocol.TCP && REQUEST_PROTOCOLS.contains(appProtocol.toLowerCase(Locale.ROOT));
    }

    /** This port's identity within its Service. */
    public ServicePortName nameIn(ServiceId service) {
        return new ServicePortName(service, name, protocol);
    }
}
