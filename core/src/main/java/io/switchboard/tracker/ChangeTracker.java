package io.switchboard.tracker;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Finds which Services changed between the last applied snapshot and a new one, so a sync rebuilds
 * only those. A Service counts as changed when its definition or its endpoint slices differ, or it
 * appeared or disappeared; a burst of source events that ends where it began yields no change.
 * A source may say which Services it touched: then only those are compared (hints accumulate until
 * a snapshot is applied, so a failed sync loses none), otherwise every Service is. Sources reuse
 * unchanged objects, so most comparisons end at an identity check.
 */
public final class ChangeTracker {

    private ClusterSnapshot applied = ClusterSnapshot.EMPTY;
    private final Set<ServiceId> pendingHints = new HashSet<>();

    /** The Services that differ between the applied snapshot and {@code next}, comparing every Service. */
    public Set<ServiceId> changes(ClusterSnapshot next) {
        return changes(next, null);
    }

    /**
     * The Services that differ between the applied snapshot and {@code next}.
     *
     * @param touched the Services the source says it touched since its previous snapshot, or null when
     *                it cannot tell (then all are compared)
     */
    public Set<ServiceId> changes(ClusterSnapshot next, Set<ServiceId> touched) {
        Objects.requireNonNull(next, "next");
        Set<ServiceId> changed = new HashSet<>();
        if (next == applied) {
            return changed;
        }
        Set<ServiceId> ids;
        if (touched != null) {
            pendingHints.addAll(touched);
            ids = pendingHints;
        } else {
            ids = new HashSet<>(applied.services().keySet());
            ids.addAll(next.services().keySet());
        }
        for (ServiceId id : ids) {
            Service before = applied.services().get(id);
            Service after = next.services().get(id);
            if (!same(before, after) || !same(applied.slices().get(id), next.slices().get(id))) {
                changed.add(id);
            }
        }
        return changed;
    }

    /** Records that {@code snapshot} is now in effect. */
    public void applied(ClusterSnapshot snapshot) {
        this.applied = Objects.requireNonNull(snapshot, "snapshot");
        pendingHints.clear();
    }

    /** The snapshot last recorded as in effect. */
    public ClusterSnapshot current() {
        return applied;
    }

    private static boolean same(Object a, Object b) {
        return a == b || (a != null && a.equals(b));
    }

    private static boolean same(List<EndpointSlice> a, List<EndpointSlice> b) {
        if (a == b) {
            return true;
        }
        List<EndpointSlice> x = a == null ? List.of() : a;
        List<EndpointSlice> y = b == null ? List.of() : b;
        return x.equals(y);
    }
}
