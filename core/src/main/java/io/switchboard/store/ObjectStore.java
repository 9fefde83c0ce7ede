package io.switchboard.store;

import io.switchboard.model.NodeInfo;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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
 *
 * <p>The store itself keeps what sources say about themselves and puts checkouts together; what was
 * recorded is {@link Definitions}', the rules are {@link Decisions}', who serves an address is
 * {@link AddressBook}'s and the desired state {@link DesiredState}'s, all guarded by this store's lock.
 */
public final class ObjectStore {

    private final Definitions definitions = new Definitions();
    private final DesiredState state = new DesiredState();
    private final AddressBook addresses;
    private final Decisions decisions;
    /** Notes a source has about input it skipped, by source. */
    private final Map<String, List<String>> sourceNotes = new TreeMap<>();
    /** Errors a source has about input it could not split into objects, by source. */
    private final Map<String, List<ValidationError>> sourceErrors = new TreeMap<>();
    private NodeInfo node;
    private Checkout last;
    /** Whether anything a checkout shows changed since the last one. */
    private boolean modified;

    /** A store for a proxy serving no node ports (validation). */
    public ObjectStore() {
        this(List.of());
    }

    /** A store for a proxy serving node ports on {@code nodePortAddresses}. */
    public ObjectStore(List<InetAddress> nodePortAddresses) {
        this.addresses = new AddressBook(List.copyOf(nodePortAddresses));
        this.decisions = new Decisions(definitions, addresses, state);
    }

    /** Records a definition, replacing the one in the same slot. Any thread; decided at the next checkout. */
    public synchronized void put(Definition definition) {
        Objects.requireNonNull(definition, "definition");
        definitions.put(definition);
    }

    /** Forgets the definition of {@code ref} in {@code slot}. Any thread. */
    public synchronized void remove(ObjectRef ref, Definition.Slot slot) {
        definitions.remove(ref, slot);
    }

    /** Forgets every definition of {@code ref}. Any thread. */
    public synchronized void remove(ObjectRef ref) {
        definitions.remove(ref);
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
        return definitions.recorded().size();
    }

    /**
     * Decides what was recorded since the previous checkout and returns the whole desired state. When
     * nothing changed it returns the previous checkout itself.
     */
    public synchronized Checkout checkout() {
        state.startCheckout();
        if (decisions.decide(definitions.recorded())) {
            modified = true;
        }
        definitions.clearRecorded();
        addresses.checkoutDone();
        if (!modified && last != null) {
            return last;
        }
        modified = false;
        List<ValidationError> errors = new ArrayList<>();
        sourceErrors.values().forEach(errors::addAll);
        errors.addAll(decisions.errors());
        List<String> allNotes = new ArrayList<>();
        sourceNotes.values().forEach(allNotes::addAll);
        allNotes.addAll(state.ignoredNotes());
        return last = new Checkout(state.snapshot(), state.touched(), errors, allNotes, node, addresses.conflicts());
    }
}
