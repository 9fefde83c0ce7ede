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

    /** Who this instance is, for a successor looking for it. */
    Instance instance();

    /**
     * Hands the node-wide ports (health servers; the admin server closes itself after answering) to a
     * successor starting beside this instance, which goes on carrying traffic until it drains.
     *
     * @param successor how the successor named itself (its pid)
     * @return what was released, for the answer
     */
    java.util.List<String> handOver(String successor);

    /**
     * One running instance.
     *
     * @param pid        its process id
     * @param version    its version
     * @param started    when it started
     * @param draining   whether it drains
     * @param handedOver whether a successor took its node ports
     */
    record Instance(long pid, String version, java.time.Instant started, boolean draining, boolean handedOver) {
    }

    /** Readiness with its explanation. */
    record Readiness(boolean ready, String detail) {
    }
}
