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
