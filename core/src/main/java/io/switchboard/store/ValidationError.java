package io.switchboard.kubernetes;

import java.nio.file.Path;

/**
 * Why an object (or a whole file) was rejected, precise enough to fix it without searching: the
 * file, the line when known, the object, the field path, and what is wrong.
 *
 * @param file    the manifest file, or null for objects from an API
 * @param line    1-based line of the field (or of the document), 0 when unknown
 * @param object  the object, or null when the file could not be split into objects
 * @param field   the field path such as {@code spec.ports[1].port}, or empty
 * @param message what is wrong and what was expected
 */
public record ValidationError(Path file, int line, ObjectRef object, String field, String message) {

    public ValidationError {
        field = field == null ? "" : field;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
            if (line > 0) {
                sb.append(':').append(line);
            }
            sb.append(": ");
        }
        if (object != null) {
            sb.append(object).append(": ");
        }
        if (!field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(message).toString();
    }
}
