package io.switchboard.store;

import java.util.List;
import java.util.Objects;

/**
 * One source's definition of one object, as recorded in the {@link ObjectStore}: what it maps to
 * (null when invalid), its own field errors, and where it came from. An object may be defined in
 * several slots (the same Service in two manifest files); the first slot in order wins and the
 * others are reported as duplicates.
 *
 * @param ref    the object
 * @param slot   where this definition sits among the object's definitions
 * @param mapped what it maps to, or null when it has errors
 * @param errors its own field errors
 * @param origin where it came from
 * @param lines  the line of a field in its file, for errors the store finds later
 */
public record Definition(ObjectRef ref, Slot slot, Mapped mapped, List<ValidationError> errors, Origin origin,
                         FieldLines lines) {

    public Definition {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(slot, "slot");
        errors = List.copyOf(errors);
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(lines, "lines");
    }

    /**
     * The place of a definition: slots order by source, then location, then position, so a manifest
     * file (source {@code file}) wins over the API ({@code kubernetes}) for an object both define,
     * and within files the first definition in the first file (by path) wins; an API or etcd source
     * uses one slot per object.
     */
    public record Slot(String source, String location, int index) implements Comparable<Slot> {

        public Slot {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(location, "location");
        }

        // Written out rather than generated: generated record methods run through method handles that
        // are slow until compiled, and a first load of 50,000 Services compares and hashes these keys
        // millions of times in its first seconds. The hash is the generated one (31 * h + each component).
        @Override
        public boolean equals(Object other) {
            return this == other || other instanceof Slot o && index == o.index && source.equals(o.source)
                    && location.equals(o.location);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * source.hashCode() + location.hashCode()) + Integer.hashCode(index);
        }

        @Override
        public int compareTo(Slot o) {
            int c = source.compareTo(o.source);
            if (c == 0) {
                c = location.compareTo(o.location);
            }
            return c != 0 ? c : Integer.compare(index, o.index);
        }
    }

    /** Finds the line of a field path such as {@code spec.ports[0].port}. */
    @FunctionalInterface
    public interface FieldLines {
        /** For sources without lines. */
        FieldLines NONE = field -> 0;

        /** The 1-based line of {@code field} (or of the object), 0 when unknown. */
        int lineOf(String field);
    }

    /** An error about {@code field} of this definition, pointing at its line when there is one. */
    public ValidationError error(String field, String message) {
        return new ValidationError(origin.atLine(lines.lineOf(field)), ref, field, message);
    }
}
