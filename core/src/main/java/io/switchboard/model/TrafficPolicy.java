package io.switchboard.model;

/**
 * {@code externalTrafficPolicy} and {@code internalTrafficPolicy}: {@code LOCAL} restricts a Service's
 * traffic to endpoints on this node.
 */
public enum TrafficPolicy {
    CLUSTER, LOCAL
}
