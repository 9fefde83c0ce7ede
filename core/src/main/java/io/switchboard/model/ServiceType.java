package io.switchboard.model;

/** The Service types Switchboard serves; {@code ExternalName} services are never modelled. */
public enum ServiceType {
    CLUSTER_IP, NODE_PORT, LOAD_BALANCER
}
