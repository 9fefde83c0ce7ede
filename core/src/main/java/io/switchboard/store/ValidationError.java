package io.switchboard.store;

import java.nio.file.Path;

/**
 * Why an object (or a whole file) was rejected, precise enough to fix it without searching: where it
 * came from (file and line, API object and resourceVersion, etcd key and revision), the object, the
 * field path, and what is wrong.
 *
 * @param origin  where the object came from, or null when unknown
 * @param object  the object, or null when the input could not be split into objects
 * @param field   the field path such as {@code spec.ports[1].port}, or empty
 * @param message what is wrong and what was expected
 */
public record ValidationError(Origin origin, ObjectRef object, String field, String message) {

    public ValidationError {
        field = field == null ? "" : field;
    }

    /** An error in a manifest file, at {@code line} (0 when unknown). */
    public ValidationError(Path file, int line, ObjectRef object, String field, String message) {
        this(file == null ? null : Origin.file(file, line), object, field, message);
    }

    /** The manifest file, or null when the object came from elsewhere. */
    public Path file() {
        return origin == null ? null : origin.file();
    }

    /** The 1-based line in the file, 0 when unknown or not from a file. */
    public int line() {
        return origin == null ? 0 : origin.line();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (origin != null) {
            sb.append(origin).append(": ");
        }
        // An API origin already names the object.
        if (object != null && (origin == null || origin.kind() != Origin.Kind.KUBERNETES)) {
            sb.append(object).append(": ");
        }
        if (!field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(message).toString();
    }
}
