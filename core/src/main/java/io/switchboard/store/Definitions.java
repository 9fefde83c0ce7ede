package io.switchboard.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What sources recorded into the {@link ObjectStore}: every definition of each object, by slot, and
 * which objects were recorded since the last checkout. Of an object's definitions the one in the
 * first slot wins and the others are duplicates. Guarded by the store's lock.
 */
final class Definitions {

    /** Every definition of each object, by slot (first wins). */
    private final Map<ObjectRef, TreeMap<Definition.Slot, Definition>> bySlot = new HashMap<>();
    /** Objects recorded since the last checkout. */
    private final Set<ObjectRef> recorded = new TreeSet<>();

    /** Records a definition, replacing the one in the same slot. */
    void put(Definition definition) {
        TreeMap<Definition.Slot, Definition> defs = bySlot.computeIfAbsent(definition.ref(), k -> new TreeMap<>());
        Definition before = defs.get(definition.slot());
        // An equal definition keeps the one recorded: what is in effect is compared by identity.
        if (!definition.equals(before)) {
            defs.put(definition.slot(), definition);
            recorded.add(definition.ref());
        }
    }

    /** Forgets the definition of {@code ref} in {@code slot}. */
    void remove(ObjectRef ref, Definition.Slot slot) {
        TreeMap<Definition.Slot, Definition> defs = bySlot.get(ref);
        if (defs != null && defs.remove(slot) != null) {
            if (defs.isEmpty()) {
                bySlot.remove(ref);
            }
            recorded.add(ref);
        }
    }

    /** Forgets every definition of {@code ref}. */
    void remove(ObjectRef ref) {
        if (bySlot.remove(ref) != null) {
            recorded.add(ref);
        }
    }

    /** The objects recorded since {@link #clearRecorded}, in order. */
    Set<ObjectRef> recorded() {
        return recorded;
    }

    /** A checkout decided what was recorded. */
    void clearRecorded() {
        recorded.clear();
    }

    /** Whether any source defines {@code ref}. */
    boolean defines(ObjectRef ref) {
        return bySlot.containsKey(ref);
    }

    /** The winning definition of {@code ref} (valid or not), or null when none is recorded. */
    Definition first(ObjectRef ref) {
        TreeMap<Definition.Slot, Definition> defs = bySlot.get(ref);
        return defs == null ? null : defs.firstEntry().getValue();
    }

    /** The winning definition of {@code ref} when it is valid, else null. */
    Definition validWinner(ObjectRef ref) {
        Definition d = first(ref);
        return d == null || d.mapped() == null ? null : d;
    }

    /** Errors of an object's own definitions: duplicates and the winner's field errors. */
    List<ValidationError> ownErrors(ObjectRef ref) {
        TreeMap<Definition.Slot, Definition> defs = bySlot.get(ref);
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
}
