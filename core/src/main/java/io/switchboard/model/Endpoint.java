package io.switchboard.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One endpoint of an EndpointSlice.
 *
 * @param addresses  its addresses; kube-proxy uses the first
 * @param conditions ready, serving, terminating
 * @param nodeName   the node it runs on, or null
 * @param zone       its zone, or null
 * @param targetName the name of the pod it belongs to, or null
 * @param zoneHints  {@code hints.forZones}: the zones that should use it, empty when it has no hints
 * @param nodeHints  {@code hints.forNodes}: the nodes that should use it, empty when it has no hints
 */
public record Endpoint(List<InetAddress> addresses, EndpointConditions conditions, String nodeName, String zone,
                       String targetName, Set<String> zoneHints, Set<String> nodeHints) {

    public Endpoint {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("an endpoint needs an address");
        }
        Objects.requireNonNull(conditions, "conditions");
        zoneHints = zoneHints == null ? Set.of() : Set.copyOf(zoneHints);
        nodeHints = nodeHints == null ? Set.of() : Set.copyOf(nodeHints);
    }

    /** An endpoint without topology hints. */
    public Endpoint(List<InetAddress> addresses, EndpointConditions conditions, String nodeName, String zone,
                    String targetName) {
        this(addresses, conditions, nodeName, zone, targetName, Set.of(), Set.of());
    }

    /** The address traffic goes to. */
    public InetAddress address() {
        return addresses.get(0);
    }
}
