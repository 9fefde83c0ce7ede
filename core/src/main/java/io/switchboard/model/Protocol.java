package io.switchboard.model;

/** Transport protocol of a Service port, as in {@code spec.ports[].protocol}. */
public enum Protocol {
    TCP, UDP, SCTP
}
