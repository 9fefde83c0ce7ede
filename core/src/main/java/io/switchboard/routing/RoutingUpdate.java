package io.switchboard.routing;

import java.util.List;

/**
 * The result of applying changes: the new table, the addresses that appeared and disappeared (for
 * listener management).
 */
public record RoutingUpdate(RoutingTable table, List<VirtualAddress> added, List<VirtualAddress> removed) {

    public RoutingUpdate {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
    }
}
