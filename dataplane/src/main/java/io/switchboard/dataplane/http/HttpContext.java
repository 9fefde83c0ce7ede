package io.switchboard.dataplane.http;

import io.switchboard.dataplane.RoutingState;

/**
 * What HTTP handling on one event loop shares: the routing state and that loop's endpoint
 * connection pools.
 *
 * @param state     routing table and affinity
 * @param upstreams the loop's pools
 */
public record HttpContext(RoutingState state, UpstreamPools upstreams) {
}
