package io.switchboard.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * An immutable view of everything a source knows: Services and their endpoint slices, keyed by
 * Service. Sources produce these; the change tracker compares consecutive ones. The maps are
 * persistent, so a source that changes one Service among 50,000 shares the rest with its previous
 * snapshot instead of copying it.
 */
public record ClusterSnapshot(Map<ServiceId, Service> services, Map<ServiceId, List<EndpointSlice>> slices) {

    /** An empty snapshot. */
    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(HashTreePMap.empty(), HashTreePMap.empty());

    public ClusterSnapshot {
        services = persistent(services);
        slices = persistent(slices);
    }

    private static <K, V> PMap<K, V> persistent(Map<K, V> map) {
        return map instanceof PMap<K, V> p ? p : HashTreePMap.from(map);
    }

    /**
     * The slices that define a Service's endpoints: its EndpointSlices, or its legacy Endpoints only
     * when it has no EndpointSlice, as kube-proxy does.
     */
    public List<EndpointSlice> endpointsOf(ServiceId id) {
        return preferSlices(slices.getOrDefault(id, List.of()));
    }

    /** Keeps the non-legacy slices when there are any, otherwise the legacy ones. */
    public static List<EndpointSlice> preferSlices(Collection<EndpointSlice> all) {
        List<EndpointSlice> modern = new ArrayList<>();
        for (EndpointSlice s : all) {
            if (!s.legacy()) {
                modern.add(s);
            }
        }
        return modern.isEmpty() ? List.copyOf(all) : modern;
    }
}
