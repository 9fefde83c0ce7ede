package io.switchboard.source.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.switchboard.kubernetes.FieldError;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.model.NodeInfo;
import io.switchboard.store.Definition;
import io.switchboard.store.ObjectRef;
import io.switchboard.store.ObjectStore;
import io.switchboard.store.Origin;
import io.switchboard.store.ValidationError;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Turns informer events into definitions in the store, with the API object and its resourceVersion
 * as their origin. An event for a resourceVersion already recorded (an informer resync, a relist
 * after a reconnect) records nothing. Keeps the EndpointSlice change-trigger times so the network
 * programming latency can be measured once the change is applied.
 */
final class ApiRecorder {

    /** Where the EndpointSlice controller writes when the change behind a slice happened. */
    static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    static final String TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler";
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    private static final Definition.Slot SLOT = new Definition.Slot("kubernetes", "", 0);

    private final ResourceMapper mapper;
    private final ObjectStore store;
    private final KubernetesMetrics metrics;
    private final Map<ObjectRef, String> versions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Instant> triggers = new ConcurrentLinkedQueue<>();
    /** Trigger times of the changes the current sync applies; sync thread only. */
    private final List<Instant> applying = new ArrayList<>();

    ApiRecorder(ResourceMapper mapper, ObjectStore store, KubernetesMetrics metrics) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    static String kindOf(String resource) {
        return switch (resource) {
            case "services" -> "Service";
            case "endpointslices" -> "EndpointSlice";
            default -> throw new IllegalArgumentException("not a watched resource: " + resource);
        };
    }

    static ObjectRef refOf(String resource, HasMetadata obj) {
        return new ObjectRef(kindOf(resource), obj.getMetadata().getNamespace(), obj.getMetadata().getName());
    }

    /** Records the object's current version; false when that version was already recorded. */
    boolean record(String resource, HasMetadata obj) {
        ObjectRef ref = refOf(resource, obj);
        String version = obj.getMetadata().getResourceVersion();
        if (version != null && version.equals(versions.put(ref, version))) {
            return false;
        }
        Origin origin = Origin.kubernetes(ref, version);
        ResourceMapper.Outcome outcome = mapper.map(obj);
        List<ValidationError> errors = new ArrayList<>();
        for (FieldError f : outcome.errors()) {
            errors.add(new ValidationError(origin, ref, f.field(), f.message()));
        }
        store.put(new Definition(ref, SLOT, outcome.mapped(), errors, origin, Definition.FieldLines.NONE));
        metrics.event(resource, "update");
        Map<String, String> annotations = obj.getMetadata().getAnnotations();
        String trigger = annotations == null ? null : annotations.get(TRIGGER_TIME);
        if (trigger != null) {
            try {
                triggers.add(Instant.parse(trigger));
            } catch (DateTimeParseException e) {
                metrics.badTriggerTime();
            }
        }
        return true;
    }

    /** Forgets a deleted object. */
    void remove(String resource, HasMetadata obj) {
        ObjectRef ref = refOf(resource, obj);
        versions.remove(ref);
        store.remove(ref, SLOT);
        metrics.event(resource, "delete");
    }

    /** Records this node: its zone label, and whether it is being deleted or drained by the autoscaler. */
    void node(Node node, String name) {
        Map<String, String> labels = node.getMetadata().getLabels();
        boolean deleting = node.getMetadata().getDeletionTimestamp() != null;
        boolean tainted = false;
        if (node.getSpec() != null && node.getSpec().getTaints() != null) {
            for (Taint t : node.getSpec().getTaints()) {
                tainted |= TO_BE_DELETED_TAINT.equals(t.getKey());
            }
        }
        store.node(new NodeInfo(name, labels == null ? "" : labels.getOrDefault(ZONE_LABEL, ""), !deleting && !tainted));
        metrics.event("nodes", "update");
    }

    /** This node has no Node object (deleted, or not there yet): it must not take external traffic. */
    void nodeGone(String name) {
        store.node(new NodeInfo(name, "", false));
        metrics.event("nodes", "delete");
    }

    /** How many objects are recorded. */
    int recorded() {
        return versions.size();
    }

    /** Takes the trigger times of the changes the coming checkout will apply. */
    void beforeSync() {
        for (Instant t; (t = triggers.poll()) != null; ) {
            applying.add(t);
        }
    }

    /** The changes taken before this sync are now applied: observe how long each took from its trigger. */
    void synced() {
        Instant now = Instant.now();
        for (Instant t : applying) {
            metrics.programmed(java.time.Duration.between(t, now));
        }
        applying.clear();
    }
}
