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

    /** Each source with what it says of itself, for the dashboard. */
    default java.util.List<SourceState> sources() {
        return java.util.List.of();
    }

    /** When the last sync completed, or null before the first. */
    default java.time.Instant lastSync() {
        return null;
    }

    /** Objects sources recorded that no sync has checked out yet. */
    default int pendingChanges() {
        return 0;
    }

    /** The instances following the same etcd prefix (this one included), or empty without etcd. */
    default java.util.List<FleetMemberState> fleet() {
        return java.util.List.of();
    }

    /**
     * Drains (weight 0) or restores the endpoints of Service {@code service} ({@code namespace/name})
     * whose address is {@code endpoint} ({@code IP:port}, or an IP for every port); only with
     * {@code --admin-actions}.
     *
     * @return the endpoints changed, as {@code service/port->IP:port}
     */
    default java.util.List<String> drain(String service, String endpoint, boolean drained) {
        throw new UnsupportedOperationException("drain");
    }

    /**
     * One source.
     *
     * @param kind     {@code file}, {@code kubernetes} or {@code etcd}
     * @param ready    it has recorded a complete first view
     * @param degraded it cannot follow changes right now
     * @param detail   what it is doing
     */
    record SourceState(String kind, boolean ready, boolean degraded, String detail) {
    }

    /**
     * One fleet member, as {@code switchboard fleet list} shows it.
     *
     * @param id       its key under the members prefix
     * @param node     its node name
     * @param admin    its admin address
     * @param version  its version
     * @param pid      its process id
     * @param revision the config revision it applied
     * @param lastSync when it last synced (ISO-8601), or empty
     * @param behind   config revisions it is behind the newest known one (0: caught up)
     */
    record FleetMemberState(String id, String node, String admin, String version, long pid, long revision,
                            String lastSync, long behind) {
    }

    /** Readiness with its explanation. */
    record Readiness(boolean ready, String detail) {
    }
}
