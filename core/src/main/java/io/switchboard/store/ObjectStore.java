package io.switchboard.store;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.NodeInfo;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServicePort;
import io.switchboard.routing.EndpointResolver;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The one place every source records objects into, and the one place the rules between objects
 * live: an invalid definition keeps the object's last good version; an object defined twice is
 * taken from its first slot and reported in the others; two Services may not claim one address,
 * port and protocol (nor one node port), and the older one keeps it (earliest
 * {@code creationTimestamp}, a Service without one counting as newest, then namespace/name), the
 * same rule whether both arrive at once after a restart or one after the other while running; a
 * Service's named target ports must name ports of its endpoints.
 *
 * <p>Sources only record ({@link #put}, {@link #remove}), which costs a map update; the sync loop's
 * {@link #checkout()} decides what was recorded since the previous checkout and returns the whole
 * desired state as a persistent snapshot, so one changed object among 50,000 costs one decision.
 * Thread-safe: sources record from their own threads while the sync loop checks out.
 */
public final class ObjectStore {

    private final List<InetAddress> nodePortAddresses;

    /** A store for a proxy serving no node ports (validation). */
    public ObjectStore() {
        this(List.of());
    }

    /** A store for a proxy serving node ports on {@code nodePortAddresses}. */
    public ObjectStore(List<InetAddress> nodePortAddresses) {
        this.nodePortAddresses = List.copyOf(nodePortAddresses);
    }

    /** Every definition of each object, by slot (first wins). */
    private final Map<ObjectRef, TreeMap<Definition.Slot, Definition>> definitions = new HashMap<>();
    /** Objects recorded since the last checkout. */
    private final Set<ObjectRef> dirty = new TreeSet<>();
    /** The version of each object in effect: the winning definition, or the last good one. */
    private final Map<ObjectRef, Definition> accepted = new HashMap<>();
    /** Errors of each object (its own fields, duplicates, cross-object checks). */
    private final Map<ObjectRef, List<ValidationError>> objectErrors = new HashMap<>();
    /** Valid objects that are ignored: where each came from, and why, by object. */
    private final Map<ObjectRef, Map.Entry<Origin, String>> notes = new TreeMap<>();
    /** Notes a source has about input it skipped, by source. */
    private final Map<String, List<String>> sourceNotes = new TreeMap<>();
    /** Address keys claimed, and by whom. */
    private final Map<String, ObjectRef> claims = new HashMap<>();
    private final Map<ObjectRef, List<String>> claimsOf = new HashMap<>();
    /** Services whose winning version or version in effect wants each address key, and the keys of each. */
    private final Map<String, Set<ObjectRef>> wanting = new HashMap<>();
    private final Map<ObjectRef, Set<String>> wantsOf = new HashMap<>();
    /** The address a Service was refused at its last decision, by the refused Service. */
    private final Map<ObjectRef, AddressConflict> conflicts = new HashMap<>();
    /** Address claims by Service version (identity), for the length of one checkout. */
    private final Map<Service, Map<String, String>> claimsCache = new IdentityHashMap<>();
    /** Services whose winning definition failed a cross-object check; retried at every checkout. */
    private final Set<ObjectRef> pending = new HashSet<>();
    /** Endpoint slices in effect, by Service and by the object that defined them. */
    private final Map<ServiceId, Map<ObjectRef, List<EndpointSlice>>> slicesByService = new HashMap<>();
    /** Errors a source has about input it could not split into objects, by source. */
    private final Map<String, List<ValidationError>> sourceErrors = new TreeMap<>();
    private PMap<ServiceId, Service> services = HashTreePMap.empty();
    private PMap<ServiceId, List<EndpointSlice>> slices = HashTreePMap.empty();
    /** Services whose entries the current checkout changed. */
    private final Set<ServiceId> touched = new HashSet<>();
    private NodeInfo node;
    private Checkout last;
    /** Whether anything a checkout shows changed since the last one. */
    private boolean modified;

    /** Records a definition, replacing the one in the same slot. Any thread; decided at the next checkout. */
    public synchronized void put(Definition definition) {
        Objects.requireNonNull(definition, "definition");
        TreeMap<Definition.Slot, Definition> defs = definitions.computeIfAbsent(definition.ref(), k -> new TreeMap<>());
        Definition before = defs.get(definition.slot());
        // An equal definition keeps the one recorded: what is in effect is compared by identity.
        if (!definition.equals(before)) {
            defs.put(definition.slot(), definition);
            dirty.add(definition.ref());
        }
    }

    /** Forgets the definition of {@code ref} in {@code slot}. Any thread. */
    public synchronized void remove(ObjectRef ref, Definition.Slot slot) {
        TreeMap<Definition.Slot, Definition> defs = definitions.get(ref);
        if (defs != null && defs.remove(slot) != null) {
            if (defs.isEmpty()) {
                definitions.remove(ref);
            }
            dirty.add(ref);
        }
    }

    /** Forgets every definition of {@code ref}. Any thread. */
    public synchronized void remove(ObjectRef ref) {
        if (definitions.remove(ref) != null) {
            dirty.add(ref);
        }
    }

    /** Sets the errors {@code source} has about input it could not split into objects (syntax, listing). */
    public synchronized void sourceErrors(String source, List<ValidationError> errors) {
        List<ValidationError> copy = List.copyOf(errors);
        List<ValidationError> before = copy.isEmpty() ? sourceErrors.remove(source) : sourceErrors.put(source, copy);
        if (!Objects.equals(before == null ? List.of() : before, copy)) {
            modified = true;
        }
    }

    /** Sets what {@code source} says of input it skipped on purpose (not objects: files that are not files). */
    public synchronized void sourceNotes(String source, List<String> list) {
        List<String> copy = List.copyOf(list);
        List<String> before = copy.isEmpty() ? sourceNotes.remove(source) : sourceNotes.put(source, copy);
        if (!Objects.equals(before == null ? List.of() : before, copy)) {
            modified = true;
        }
    }

    /** Records what this node is (from the Kubernetes Node object). Any thread. */
    public synchronized void node(NodeInfo info) {
        if (!Objects.equals(node, info)) {
            node = info;
            modified = true;
        }
    }

    /** How many objects were recorded and not yet checked out. */
    public synchronized int pendingChanges() {
        return dirty.size();
    }

    /**
     * Decides what was recorded since the previous checkout and returns the whole desired state. When
     * nothing changed it returns the previous checkout itself.
     */
    public synchronized Checkout checkout() {
        touched.clear();
        Set<ObjectRef> serviceRefs = new TreeSet<>(pending);
        for (ObjectRef ref : dirty) {
            if (ref.kind().equals("Service")) {
                serviceRefs.add(ref);
            } else {
                for (ServiceId id : decide(ref)) {
                    serviceRefs.add(new ObjectRef("Service", id.namespace(), id.name()));
                }
            }
        }
        dirty.clear();
        decideServices(serviceRefs);
        claimsCache.clear();
        if (!modified && last != null) {
            return last;
        }
        modified = false;
        List<ValidationError> errors = new ArrayList<>();
        sourceErrors.values().forEach(errors::addAll);
        new TreeMap<>(objectErrors).values().forEach(errors::addAll);
        List<String> allNotes = new ArrayList<>();
        sourceNotes.values().forEach(allNotes::addAll);
        allNotes.addAll(ignoredNotes());
        List<AddressConflict> conflictList = new TreeMap<>(conflicts).values().stream().toList();
        return last = new Checkout(new ClusterSnapshot(services, slices), touched, errors, allNotes, node,
                conflictList);
    }

    /** How many objects one note names before the rest with the same reason are counted. */
    static final int NOTE_EXAMPLES = 5;

    /**
     * One note per ignored object, except that objects ignored for one reason beyond
     * {@link #NOTE_EXAMPLES} are counted, not listed: a directory of 100,000 ConfigMaps makes one line.
     */
    private List<String> ignoredNotes() {
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

    /**
     * Puts the winning definition of a non-Service object in effect, or keeps its last good version
     * when the winner is invalid. Returns the Services whose endpoints this touched.
     */
    private Set<ServiceId> decide(ObjectRef ref) {
        Definition previous = accepted.get(ref);
        Definition winner = first(ref);
        setErrors(ref, ownErrors(ref));
        Set<ServiceId> out = new HashSet<>(servicesOf(previous));
        if (winner == null) {
            withdraw(ref, previous);
            accepted.remove(ref);
        } else if (winner.mapped() != null && winner != previous) {
            withdraw(ref, previous);
            accepted.put(ref, winner);
            publish(ref, winner);
            out.addAll(servicesOf(winner));
        }
        return out;
    }

    /**
     * Decides Services: each takes its winning definition if that one is valid, its named target ports
     * name ports of its endpoints, and no older Service serves its addresses; otherwise it keeps the
     * version in effect (if that still passes) and is retried at every checkout. Every Service that
     * shares an address with one being decided, directly or through others, is decided with it, in
     * age order, so who holds an address never depends on the order Services arrived in.
     */
    private void decideServices(Set<ObjectRef> refs) {
        refs.forEach(this::indexWants);
        List<ObjectRef> order = byAge(sharingAddressesWith(refs));
        for (ObjectRef ref : order) {
            release(ref);
        }
        for (ObjectRef ref : order) {
            Definition old = accepted.get(ref);
            Definition winner = validWinner(ref);
            List<ValidationError> errors = new ArrayList<>(ownErrors(ref));
            Definition chosen = null;
            pending.remove(ref);
            conflicts.remove(ref);
            if (winner != null) {
                ValidationError problem = check(ref, winner);
                if (problem == null) {
                    chosen = winner;
                } else {
                    errors.add(problem);
                    pending.add(ref);
                }
            }
            boolean stillDefined = definitions.containsKey(ref);
            if (chosen == null && stillDefined && old != null && old != winner && check(ref, old) == null) {
                chosen = old;
            }
            if (chosen != old) {
                withdraw(ref, old);
                accepted.remove(ref);
                if (chosen != null) {
                    accepted.put(ref, chosen);
                    publish(ref, chosen);
                }
            }
            setErrors(ref, errors);
            indexWants(ref);
        }
    }

    /** {@code refs} and every Service that wants one of their addresses, transitively. */
    private Set<ObjectRef> sharingAddressesWith(Set<ObjectRef> refs) {
        Set<ObjectRef> group = new HashSet<>(refs);
        ArrayDeque<ObjectRef> todo = new ArrayDeque<>(refs);
        while (!todo.isEmpty()) {
            for (String key : wantsOf.getOrDefault(todo.poll(), Set.of())) {
                for (ObjectRef other : wanting.getOrDefault(key, Set.of())) {
                    if (group.add(other)) {
                        todo.add(other);
                    }
                }
            }
        }
        return group;
    }

    /** Indexes the addresses of the versions of {@code ref} that may be put in effect (winner, current). */
    private void indexWants(ObjectRef ref) {
        Set<String> keys = new HashSet<>();
        for (Definition d : new Definition[] {validWinner(ref), accepted.get(ref)}) {
            if (d != null && d.mapped() instanceof Mapped.OfService ms) {
                keys.addAll(claimsOf(ms.service()).keySet());
            }
        }
        // Immutable sets, replaced on change: nearly every address has one holder and every Service a
        // few addresses, and a HashSet each was ~25 MB of a 50,000-Service store.
        Set<String> before = keys.isEmpty() ? wantsOf.remove(ref) : wantsOf.put(ref, Set.copyOf(keys));
        if (before != null) {
            for (String k : before) {
                if (!keys.contains(k)) {
                    Set<ObjectRef> holders = without(wanting.get(k), ref);
                    if (holders.isEmpty()) {
                        wanting.remove(k);
                    } else {
                        wanting.put(k, holders);
                    }
                }
            }
        }
        for (String k : keys) {
            Set<ObjectRef> holders = wanting.get(k);
            if (holders == null) {
                wanting.put(k, Set.of(ref));
            } else if (!holders.contains(ref)) {
                wanting.put(k, with(holders, ref));
            }
        }
    }

    /** A Service and its creation time, looked up once for sorting. */
    private record Aged(Instant created, ObjectRef ref) {
    }

    private static final Comparator<Aged> OLDEST_FIRST = Comparator.comparing(Aged::created,
            Comparator.nullsLast(Comparator.<Instant>naturalOrder())).thenComparing(Aged::ref);

    /**
     * Oldest first; a Service without a creation time after every one with; then namespace/name. Each
     * creation time is looked up once, not at every comparison (two map lookups each, 1.6 million
     * for 50,000 Services).
     */
    private List<ObjectRef> byAge(Set<ObjectRef> refs) {
        List<Aged> aged = new ArrayList<>(refs.size());
        for (ObjectRef ref : refs) {
            aged.add(new Aged(created(ref), ref));
        }
        aged.sort(OLDEST_FIRST);
        List<ObjectRef> out = new ArrayList<>(aged.size());
        aged.forEach(a -> out.add(a.ref()));
        return out;
    }

    /** The creation time of {@code ref}'s winning version, else of its version in effect. */
    private Instant created(ObjectRef ref) {
        Definition d = validWinner(ref);
        if (d == null) {
            d = accepted.get(ref);
        }
        return d != null && d.mapped() instanceof Mapped.OfService ms ? ms.created() : null;
    }

    private Definition first(ObjectRef ref) {
        TreeMap<Definition.Slot, Definition> defs = definitions.get(ref);
        return defs == null ? null : defs.firstEntry().getValue();
    }

    /** The first definition of {@code ref} when it is valid, else null. */
    private Definition validWinner(ObjectRef ref) {
        Definition d = first(ref);
        return d == null || d.mapped() == null ? null : d;
    }

    /** Errors of an object's own definitions: duplicates and the winner's field errors. */
    private List<ValidationError> ownErrors(ObjectRef ref) {
        TreeMap<Definition.Slot, Definition> defs = definitions.get(ref);
        if (defs == null) {
            return List.of();
        }
        List<ValidationError> errors = new ArrayList<>();
        Definition winner = null;
        for (Definition d : defs.values()) {
            if (winner == null) {
                winner = d;
            } else {
                errors.add(new ValidationError(d.origin(), ref, "metadata.name",
                        "duplicate: already defined at " + winner.origin()));
            }
        }
        errors.addAll(winner.errors());
        return errors;
    }

    /** Cross-object checks of a Service version; claims its addresses when it passes. */
    private ValidationError check(ObjectRef ref, Definition d) {
        if (!(d.mapped() instanceof Mapped.OfService)) {
            return null;
        }
        ValidationError problem = targetPortProblem(d);
        return problem != null ? problem : claim(ref, d);
    }

    private void setErrors(ObjectRef ref, List<ValidationError> errors) {
        List<ValidationError> before = errors.isEmpty() ? objectErrors.remove(ref) : objectErrors.put(ref, errors);
        if (!Objects.equals(before == null ? List.of() : before, errors)) {
            modified = true;
        }
    }

    /** Removes what {@code d} contributed to the snapshot. */
    private void withdraw(ObjectRef ref, Definition d) {
        if (d == null) {
            return;
        }
        modified = true;
        notes.remove(ref);
        if (d.mapped() instanceof Mapped.OfService ms) {
            services = services.minus(ms.service().id());
            touched.add(ms.service().id());
            release(ref);
        } else if (d.mapped() instanceof Mapped.OfSlices) {
            for (ServiceId id : servicesOf(d)) {
                Map<ObjectRef, List<EndpointSlice>> bySource = slicesByService.get(id);
                if (bySource != null) {
                    Map<ObjectRef, List<EndpointSlice>> rest = without(bySource, ref);
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

    /** Adds what {@code d} contributes to the snapshot (a Service's address claims are made by its check). */
    private void publish(ObjectRef ref, Definition d) {
        modified = true;
        if (d.mapped() instanceof Mapped.OfService ms) {
            services = services.plus(ms.service().id(), ms.service());
            touched.add(ms.service().id());
        } else if (d.mapped() instanceof Mapped.OfSlices ms) {
            Map<ServiceId, List<EndpointSlice>> grouped = new HashMap<>();
            ms.slices().forEach(s -> grouped.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s));
            grouped.forEach((id, list) -> {
                slicesByService.put(id, with(slicesByService.getOrDefault(id, Map.of()), ref, List.copyOf(list)));
                rebuildSlices(id);
            });
        } else if (d.mapped() instanceof Mapped.Ignored ignored) {
            notes.put(ref, Map.entry(d.origin(), ignored.reason()));
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

    private static Set<ServiceId> servicesOf(Definition d) {
        if (d == null || !(d.mapped() instanceof Mapped.OfSlices ms)) {
            return Set.of();
        }
        Set<ServiceId> out = new HashSet<>();
        ms.slices().forEach(s -> out.add(s.service()));
        return out;
    }

    private ValidationError targetPortProblem(Definition d) {
        Service svc = ((Mapped.OfService) d.mapped()).service();
        List<EndpointSlice> own = ClusterSnapshot.preferSlices(slices.getOrDefault(svc.id(), List.of()));
        if (own.isEmpty()) {
            return null;
        }
        for (int i = 0; i < svc.ports().size(); i++) {
            ServicePort p = svc.ports().get(i);
            if (p.targetPort().isNamed()
                    && own.stream().noneMatch(s -> EndpointResolver.targetNumber(p, s.ports()) > 0)) {
                return d.error("spec.ports[" + i + "].targetPort", "\"" + p.targetPort().name()
                        + "\" names no port of the Service's endpoints (ports: " + portNames(own) + ")");
            }
        }
        return null;
    }

    private static String portNames(List<EndpointSlice> slices) {
        List<String> names = new ArrayList<>();
        for (EndpointSlice s : slices) {
            s.ports().forEach(p -> names.add((p.name().isEmpty() ? "<unnamed>" : p.name()) + "=" + p.port()));
        }
        return String.join(", ", names);
    }

    /**
     * Claims every address of the Service; on conflict claims nothing, records the conflict and
     * returns the error. Services are decided oldest first, so a holder is always the older one.
     */
    private ValidationError claim(ObjectRef ref, Definition d) {
        Mapped.OfService ms = (Mapped.OfService) d.mapped();
        Map<String, String> wanted = claimsOf(ms.service());
        for (var w : wanted.entrySet()) {
            ObjectRef holder = claims.get(w.getKey());
            if (holder != null && !holder.equals(ref)) {
                Instant held = created(holder);
                String rule = held != null && (ms.created() == null || held.isBefore(ms.created()))
                        ? AddressConflict.OLDER : AddressConflict.NAME_ORDER;
                ValidationError error = d.error(w.getValue(), w.getKey() + " is already served by " + holder
                        + " (" + rule + (rule.equals(AddressConflict.OLDER) ? ", " + held : "") + ")");
                conflicts.putIfAbsent(ref, new AddressConflict(w.getKey(), holder, ref, w.getValue(),
                        error.origin(), rule));
                return error;
            }
        }
        wanted.keySet().forEach(k -> claims.put(k, ref));
        claimsOf.put(ref, List.copyOf(wanted.keySet()));
        return null;
    }

    /**
     * The address claims of {@code svc}, worked out once per checkout: a Service being decided needs
     * them three times (its wants before and after, its claim), and sharing one set of keys keeps
     * one copy of each key string in the indexes.
     */
    private Map<String, String> claimsOf(Service svc) {
        return claimsCache.computeIfAbsent(svc, s -> AddressClaims.of(s, nodePortAddresses));
    }

    private void release(ObjectRef ref) {
        List<String> held = claimsOf.remove(ref);
        if (held != null) {
            held.forEach(k -> claims.remove(k, ref));
        }
    }

    // Copy-on-write helpers for the small immutable sets and maps above (most hold one element).

    private static <T> Set<T> with(Set<T> set, T element) {
        Set<T> out = new HashSet<>(set);
        out.add(element);
        return Set.copyOf(out);
    }

    private static <T> Set<T> without(Set<T> set, T element) {
        if (!set.contains(element)) {
            return set;
        }
        Set<T> out = new HashSet<>(set);
        out.remove(element);
        return Set.copyOf(out);
    }

    private static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
        if (map.isEmpty()) {
            return Map.of(key, value);
        }
        Map<K, V> out = new HashMap<>(map);
        out.put(key, value);
        return Map.copyOf(out);
    }

    private static <K, V> Map<K, V> without(Map<K, V> map, K key) {
        if (!map.containsKey(key)) {
            return map;
        }
        Map<K, V> out = new HashMap<>(map);
        out.remove(key);
        return Map.copyOf(out);
    }
}
