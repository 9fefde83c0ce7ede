package io.switchboard.routing;

/**
 * Which traffic policy governs a Service address: cluster IPs follow {@code internalTrafficPolicy};
 * node ports, external IPs and load-balancer IPs follow {@code externalTrafficPolicy}.
 */
public enum Scope {
    INTERNAL, EXTERNAL
}
