package io.switchboard.model;

import java.util.List;
import java.util.Objects;

/**
 * The endpoints of a Service from one {@code discovery.k8s.io/v1 EndpointSlice}, or converted from a
 * legacy {@code v1 Endpoints} object ({@code legacy} is then true).
 *
 * @param name      the object's name
 * @param service   the Service it belongs to
 * @param ports     its ports
 * @param endpoints its endpoints
 * @param legacy    true when converted from {@code v1 Endpoints}; used only if the Service has no
 *                  EndpointSlice
 */
public record EndpointSlice(String name, ServiceId service, List<EndpointPort> ports, List<Endpoint> endpoints,
                            boolean legacy) {

    public EndpointSlice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(service, "service");
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }
}
