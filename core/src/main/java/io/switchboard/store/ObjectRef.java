package io.switchboard.store;

import java.util.Objects;

/** Identifies a manifest object by kind, namespace and name, as errors and last-good tracking need it. */
public record ObjectRef(String kind, String namespace, String name) implements Comparable<ObjectRef> {

    public ObjectRef {
        Objects.requireNonNull(kind, "kind");
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
    }

    @Override
    public int compareTo(ObjectRef o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return kind + " " + (namespace.isEmpty() ? name : namespace + "/" + name);
    }
}
