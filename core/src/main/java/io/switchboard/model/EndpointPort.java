package io.switchboard.model;

import java.util.Objects;

/**
 * A port of an EndpointSlice: the Service port name it serves and the number endpoints listen on.
 *
 * @param name     the name, empty when unnamed
 * @param protocol transport protocol
 * @param port     the port number, or 0 when unset
 */
public record EndpointPort(String name, Protocol protocol, int port) {

    public EndpointPort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
    }
}
