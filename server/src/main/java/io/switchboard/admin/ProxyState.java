package io.switchboard.admin;

import io.switchboard.dataplane.DataPlane;
import io.switchboard.routing.RoutingTable;

/**
 * What the admin server shows, pushed or exposed by the running proxy. The admin side owns this
 * interface and never imports the proxy, as kube-proxy's healthz server never imports the proxier.
 */
public interface ProxyState {

    /** The routing table in effect. */
    RoutingTable table();

    /** The data plane, for flows and listener state. */
    DataPlane dataPlane();

    /** What the last sync saw. */
    SyncStatus status();

    /** Whether every source has been read in full and that state applied, and why not. */
    Readiness readiness();

    /** Readiness with its explanation. */
    record Readiness(boolean ready, String detail) {
    }
}
