package io.switchboard.model;

import java.util.Objects;

/**
 * Identifies a Kubernetes Service by namespace and name; printed as {@code namespace/name}.
 */
public record ServiceId(String namespace, String name) implements Comparable<ServiceId> {

    public ServiceId {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    // Written out rather than generated: generated record methods run through method handles that are
    // slow until compiled, and a first load of 50,000 Services compares and hashes these keys millions
    // of times in its first seconds. The hash is the generated one (31 * h + each component).
    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof ServiceId o && name.equals(o.name) && namespace.equals(o.namespace);
    }

    @Override
    public int hashCode() {
        return 31 * namespace.hashCode() + name.hashCode();
    }

    /** Parses {@code namespace/name}; a bare name means the {@code default} namespace. */
    public static ServiceId parse(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? new ServiceId("default", text)
                : new ServiceId(text.substring(0, slash), text.substring(slash + 1));
    }

    @Override
    public int compareTo(ServiceId other) {
        int c = namespace.compareTo(other.namespace);
        return c != 0 ? c : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
