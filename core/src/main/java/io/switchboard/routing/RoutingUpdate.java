package io.switchboard.routing;

import io.switchboard.model.ServiceId;
import java.util.List;

/**
 * The result of applying changes: the new table, the addresses that appeared and disappeared (for
 * listener management), and Services that could not claim an address another Service holds.
 */
public record RoutingUpdate(RoutingTable table, List<VirtualAddress> added, List<VirtualAddress> removed,
                            List<Conflict> conflicts) {

    /** A Service that wanted an address already served by another. */
    public record Conflict(ServiceId service, VirtualAddress address, ServiceId holder) {
        @Override
        public String toString() {
            return "service " + service + " cannot serve " + address + ": already served by " + holder;
        }
    }

    public RoutingUpdate {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        conflicts = List.copyOf(conflicts);
    }
}
