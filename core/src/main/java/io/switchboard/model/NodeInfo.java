package io.switchboard.model;

import java.util.Objects;

/**
 * This node as the proxy needs it: its name (for Local traffic policies and node hints), its
 * {@code topology.kubernetes.io/zone} label (for zone hints), and whether it should receive traffic
 * from external load balancers (not being deleted, not tainted {@code ToBeDeletedByClusterAutoscaler}).
 *
 * @param name     the node name
 * @param zone     its zone label, or empty
 * @param eligible false while the node is being deleted or drained by the cluster autoscaler
 */
public record NodeInfo(String name, String zone, boolean eligible) {

    public NodeInfo {
        Objects.requireNonNull(name, "name");
        zone = zone == null ? "" : zone;
    }

    /** A node known only by name (no zone, eligible), as with the manifest source. */
    public static NodeInfo named(String name) {
        return new NodeInfo(name, "", true);
    }
}
