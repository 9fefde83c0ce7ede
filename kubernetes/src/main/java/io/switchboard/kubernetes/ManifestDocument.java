package io.switchboard.kubernetes;

import io.switchboard.store.ObjectRef;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.store.Origin;

/**
 * One object read from a manifest (a file, an etcd value), able to tell the line of each field so
 * errors can point at it.
 *
 * @param source where it came from (a file, an etcd key and revision), without a line
 * @param line  the line the object starts on
 * @param node  the object
 * @param lines field path (as {@code spec.ports[0].port}) to line, worked out on demand
 */
public record ManifestDocument(Origin source, int line, ObjectNode node, LineIndex lines) {

    /** Where it came from, at the line of {@code field} (lines count in files only). */
    public Origin originOf(String field) {
        return source.atLine(lineOf(field));
    }

    /** The line of {@code field}, or of its closest enclosing field, or of the object. */
    public int lineOf(String field) {
        return lines.lineOrEnclosing(field, line);
    }

    /** The object's kind, or empty. */
    public String kind() {
        return node.path("kind").asText("");
    }

    /** The object's apiVersion, or empty. */
    public String apiVersion() {
        return node.path("apiVersion").asText("");
    }

    /** The object's identity from its metadata. */
    public ObjectRef ref() {
        String ns = node.path("metadata").path("namespace").asText("");
        String name = node.path("metadata").path("name").asText("");
        return new ObjectRef(kind().isEmpty() ? "object" : kind(), ns.isEmpty() && !name.isEmpty() ? "default" : ns,
                name);
    }
}
