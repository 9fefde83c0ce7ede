package io.switchboard.dataplane.http;

import io.switchboard.dataplane.RoutingState;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.routing.VirtualService;

/**
 * What HTTP handling on one event loop shares: the routing state and that loop's endpoint
 * connection pools. Used on its loop only.
 */
public final class HttpContext {

    private final RoutingState state;
    private final UpstreamPools upstreams;
    private final ClientResetBudget resets;
    private final Timeouts timeouts;
    // The last lookup, valid while the table is the same object: keep-alive traffic asks for the same
    // address request after request, and tables are replaced, never changed.
    private RoutingTable lastTable;
    private VirtualAddress lastAddress;
    private VirtualService lastService;

    /**
     * @param state     routing table and affinity
     * @param upstreams the loop's pools
     * @param resets    the HTTP/2 stream resets each client address may make, shared by every loop
     */
    public HttpContext(RoutingState state, UpstreamPools upstreams, ClientResetBudget resets) {
        this.state = state;
        this.upstreams = upstreams;
        this.resets = resets;
        this.timeouts = new Timeouts(upstreams.loop());
    }

    /** The loop's timeouts of fixed durations. */
    Timeouts timeouts() {
        return timeouts;
    }

    ClientResetBudget resets() {
        return resets;
    }

    public RoutingState state() {
        return state;
    }

    public UpstreamPools upstreams() {
        return upstreams;
    }

    /** The service on {@code address} in the current table, or null. */
    VirtualService lookup(VirtualAddress address) {
        RoutingTable table = state.table();
        if (table != lastTable || !address.equals(lastAddress)) {
            lastTable = table;
            lastAddress = address;
            lastService = table.lookup(address);
        }
        return lastService;
    }
}
