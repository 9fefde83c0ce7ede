package io.switchboard.routing;

import io.switchboard.model.Endpoint;
import io.switchboard.model.NodeInfo;
import io.switchboard.model.TrafficPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Chooses the endpoints one traffic policy may use, with kube-proxy's rule
 * ({@code CategorizeEndpoints} in {@code pkg/proxy/topology.go}), black-box:
 *
 * <ul>
 *   <li>{@code Cluster}: the ready endpoints, narrowed by topology hints when they apply; if that
 *       leaves none, the endpoints that are serving and terminating.</li>
 *   <li>Hints apply when every ready endpoint has node hints and one of them names this node (only
 *       this node's hinted endpoints are used); failing that, when every ready endpoint has zone
 *       hints and one names this node's zone (only those are used). Otherwise all ready endpoints.</li>
 *   <li>{@code Local}: this node's ready endpoints; if it has none, this node's serving and terminating
 *       endpoints. Hints never apply to it.</li>
 * </ul>
 */
public final class EndpointCategories {

    /** How topology narrowed the cluster endpoints. */
    public enum Topology { NONE, SAME_NODE, SAME_ZONE }

    /**
     * The endpoints chosen.
     *
     * @param usable      the endpoints traffic may go to
     * @param terminating true when they are the serving-and-terminating fallback
     * @param topology    how hints narrowed them (always NONE for Local)
     */
    public record Choice<T>(List<T> usable, boolean terminating, Topology topology) {
        public Choice {
            usable = List.copyOf(usable);
        }
    }

    private EndpointCategories() {
    }

    /** The endpoints {@code policy} may use on {@code node}; {@code endpointOf} reads each candidate's endpoint. */
    public static <T> Choice<T> choose(List<T> candidates, Function<T, Endpoint> endpointOf, TrafficPolicy policy,
                                       NodeInfo node) {
        if (policy == TrafficPolicy.LOCAL) {
            List<T> ready = new ArrayList<>();
            List<T> terminating = new ArrayList<>();
            for (T c : candidates) {
                Endpoint e = endpointOf.apply(c);
                if (!node.name().equals(e.nodeName())) {
                    continue;
                }
                if (e.conditions().ready()) {
                    ready.add(c);
                } else if (e.conditions().serving() && e.conditions().terminating()) {
                    terminating.add(c);
                }
            }
            return ready.isEmpty() ? new Choice<>(terminating, !terminating.isEmpty(), Topology.NONE)
                    : new Choice<>(ready, false, Topology.NONE);
        }
        Topology topology = topology(candidates, endpointOf, node);
        List<T> usable = new ArrayList<>();
        for (T c : candidates) {
            Endpoint e = endpointOf.apply(c);
            if (e.conditions().ready() && matches(e, topology, node)) {
                usable.add(c);
            }
        }
        if (!usable.isEmpty()) {
            return new Choice<>(usable, false, topology);
        }
        for (T c : candidates) {
            Endpoint e = endpointOf.apply(c);
            if (e.conditions().serving() && e.conditions().terminating()) {
                usable.add(c);
            }
        }
        return new Choice<>(usable, !usable.isEmpty(), Topology.NONE);
    }

    /** Which hints the ready endpoints allow this node to follow. */
    static <T> Topology topology(List<T> candidates, Function<T, Endpoint> endpointOf, NodeInfo node) {
        boolean allNodeHints = true;
        boolean forThisNode = false;
        boolean allZoneHints = true;
        boolean forThisZone = false;
        boolean anyReady = false;
        for (T c : candidates) {
            Endpoint e = endpointOf.apply(c);
            if (!e.conditions().ready()) {
                continue;
            }
            anyReady = true;
            if (e.nodeHints().isEmpty()) {
                allNodeHints = false;
            } else if (e.nodeHints().contains(node.name())) {
                forThisNode = true;
            }
            if (e.zoneHints().isEmpty()) {
                allZoneHints = false;
            } else if (!node.zone().isEmpty() && e.zoneHints().contains(node.zone())) {
                forThisZone = true;
            }
        }
        if (!anyReady) {
            return Topology.NONE;
        }
        if (allNodeHints && forThisNode) {
            return Topology.SAME_NODE;
        }
        if (allZoneHints && forThisZone) {
            return Topology.SAME_ZONE;
        }
        return Topology.NONE;
    }

    private static boolean matches(Endpoint e, Topology topology, NodeInfo node) {
        return switch (topology) {
            case NONE -> true;
            case SAME_NODE -> e.nodeHints().contains(node.name());
            case SAME_ZONE -> e.zoneHints().contains(node.zone());
        };
    }
}
