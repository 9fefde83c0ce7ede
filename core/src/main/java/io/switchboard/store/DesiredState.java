package io.switchboard.store;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * What the versions in effect add up to: the Services and the endpoint slices of each, kept as
 * persistent maps so a checkout shares all but what changed with the previous one, the valid objects
 * that are ignored (and why), and which Services the current checkout changed. Guarded by the
 * store's lock.
 */
final class DesiredState {

    /** How many objects one note names before the rest with the same reason are counted. */
    static final int NOTE_EXAMPLES = 5;

    private PMap<ServiceId, Service> services = HashTreePMap.empty();
    private PMap<ServiceId, List<EndpointSlice>> slices = HashTreePMap.empty();
    /** Endpoint slices in effect, by Service and by the object that defined them. */
    private final Map<ServiceId, Map<ObjectRef, List<EndpointSlice>>> slicesByService = new HashMap<>();
    /** Valid objects that are ignored: where each came from, and why, by object. */
    private final Map<ObjectRef, Map.Entry<Origin, String>> notes = new TreeMap<>();
    /** Services whose entries the current checkout changed. */
    private final Set<ServiceId> touched = new HashSet<>();

    /** The desired state as it stands. */
    ClusterSnapshot snapshot() {
        return new ClusterSnapshot(services, slices);
    }

    /** A checkout begins: nothing it changes is touched yet. */
    void startCheckout() {
        touched.clear();
    }

    /** The Services whose definition or endpoints the current checkout changed. */
    Set<ServiceId> touched() {
        return touched;
    }

    /** The endpoint slices in effect for {@code id}. */
    List<EndpointSlice> slicesOf(ServiceId id) {
        return slices.getOrDefault(id, List.of());
    }

    /** Adds what {@code d}, now in effect for {@code ref}, contributes (its check claims a Service's addresses). */
    void publish(ObjectRef ref, Definition d) {
        if (d.mapped() instanceof Mapped.OfService ms) {
            services = services.plus(ms.service().id(), ms.service());
            touched.add(ms.service().id());
        } else if (d.mapped() instanceof Mapped.OfSlices ms) {
            Map<ServiceId, List<EndpointSlice>> grouped = new HashMap<>();
            ms.slices().forEach(s -> grouped.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s));
            grouped.forEach((id, list) -> {
                slicesByService.put(id, CopyOnWrite.with(slicesByService.getOrDefault(id, Map.of()), ref,
                        List.copyOf(list)));
                rebuildSlices(id);
            });
        } else if (d.mapped() instanceof Mapped.Ignored ignored) {
            notes.put(ref, Map.entry(d.origin(), ignored.reason()));
        }
    }

    /** Removes what {@code d}, no longer in effect for {@code ref}, contributed. */
    void withdraw(ObjectRef ref, Definition d) {
        notes.remove(ref);
        if (d.mapped() instanceof Mapped.OfService ms) {
            services = services.minus(ms.service().id());
            touched.add(ms.service().id());
        } else if (d.mapped() instanceof Mapped.OfSlices) {
            for (ServiceId id : servicesOf(d)) {
                Map<ObjectRef, List<EndpointSlice>> bySource = slicesByService.get(id);
                if (bySource != null) {
                    Map<ObjectRef, List<EndpointSlice>> rest = CopyOnWrite.without(bySource, ref);
                    if (rest.isEmpty()) {
                        slicesByService.remove(id);
                    } else {
                        slicesByService.put(id, rest);
                    }
                }
                rebuildSlices(id);
            }
        }
    }

    private void rebuildSlices(ServiceId id) {
        touched.add(id);
        Map<ObjectRef, List<EndpointSlice>> bySource = slicesByService.get(id);
        if (bySource == null) {
            slices = slices.minus(id);
            return;
        }
        List<EndpointSlice> all = new ArrayList<>();
        // By source, as immutable maps have no fixed order: slices of one name keep one order.
        (bySource.size() == 1 ? bySource : new TreeMap<>(bySource)).values().forEach(all::addAll);
        all.sort(Comparator.comparing(EndpointSlice::name));
        slices = slices.plus(id, List.copyOf(all));
    }

    /** The Services whose endpoints {@code d} defines (none unless it is endpoint slices). */
    static Set<ServiceId> servicesOf(Definition d) {
        if (d == null || !(d.mapped() instanceof Mapped.OfSlices ms)) {
            return Set.of();
        }
        Set<ServiceId> out = new HashSet<>();
        ms.slices().forEach(s -> out.add(s.service()));
        return out;
    }

    /**
     * One note per ignored object, except that objects ignored for one reason beyond
     * {@link #NOTE_EXAMPLES} are counted, not listed: a directory of 100,000 ConfigMaps makes one line.
     */
    List<String> ignoredNotes() {
        Map<String, List<String>> byReason = new TreeMap<>();
        notes.forEach((ref, note) -> byReason.computeIfAbsent(note.getValue(), r -> new ArrayList<>())
                .add(note.getKey() + ": " + ref));
        List<String> out = new ArrayList<>();
        byReason.forEach((reason, objects) -> {
            if (objects.size() <= NOTE_EXAMPLES + 1) {
                objects.forEach(o -> out.add(o + ": ignored: " + reason));
            } else {
                out.add(objects.size() + " objects ignored: " + reason + "; among them "
                        + String.join(", ", objects.subList(0, NOTE_EXAMPLES)));
            }
        });
        return out;
    }
}
