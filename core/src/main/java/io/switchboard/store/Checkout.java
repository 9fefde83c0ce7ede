package io.switchboard.store;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.NodeInfo;
import io.switchboard.model.ServiceId;
import java.util.List;
import java.util.Set;

/**
 * What the {@link ObjectStore} holds at one moment.
 *
 * @param snapshot the desired state
 * @param touched  the Services whose definition or endpoints changed since the previous checkout (a
 *                 hint for the change tracker)
 * @param errors   every current error, source errors first
 * @param notes    valid objects that are ignored, and why
 * @param node      this node as a source reported it, or null when no source knows it
 * @param conflicts Services refused an address another serves (each also among the errors)
 */
public record Checkout(ClusterSnapshot snapshot, Set<ServiceId> touched, List<ValidationError> errors,
                       List<String> notes, NodeInfo node, List<AddressConflict> conflicts) {

    public Checkout {
        touched = Set.copyOf(touched);
        errors = List.copyOf(errors);
        notes = List.copyOf(notes);
        conflicts = List.copyOf(conflicts);
    }
}
