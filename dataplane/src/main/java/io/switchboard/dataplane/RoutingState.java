package io.switchboard.dataplane;

import io.switchboard.affinity.AffinityTable;
import io.switchboard.routing.Backend;
import io.switchboard.routing.RoutingTable;
import java.util.Objects;

/**
 * What every listener reads on each new connection: the current routing table, published by the
 * sync loop through a volatile field (readers never lock), and the shared affinity table.
 */
public final class RoutingState {

    private volatile RoutingTable table = RoutingTable.EMPTY;
    private volatile boolean draining;
    private final AffinityTable<Backend> affinity;
    private final DataPlaneStats stats = new DataPlaneStats();

    /** State with an affinity table. */
    public RoutingState(AffinityTable<Backend> affinity) {
        this.affinity = Objects.requireNonNull(affinity, "affinity");
    }

    /** The table in effect now. */
    public RoutingTable table() {
        return table;
    }

    /** Puts a new table in effect for every connection accepted from now on. */
    public void publish(RoutingTable newTable) {
        this.table = Objects.requireNonNull(newTable, "newTable");
    }

    /** True once the proxy drains: HTTP/1.1 responses then close their connections. */
    public boolean draining() {
        return draining;
    }

    /** Marks the start of a drain; never undone. */
    void startDraining() {
        draining = true;
    }

    /** ClientIP affinity entries. */
    public AffinityTable<Backend> affinity() {
        return affinity;
    }

    /** Data-plane-wide counters. */
    public DataPlaneStats stats() {
        return stats;
    }
}
