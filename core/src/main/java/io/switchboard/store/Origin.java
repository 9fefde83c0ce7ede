package io.switchboard.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an object (or an error about it) came from, precise enough for an operator to go and look:
 * a manifest file and line, a Kubernetes API object and its resourceVersion, or an etcd key and its
 * revision.
 *
 * @param kind     which kind of source
 * @param location the file path, the API object ({@code Service default/web}), or the etcd key
 * @param line     1-based line in a file or an etcd value, 0 when unknown or not text
 * @param version  the resourceVersion or etcd revision, or empty
 */
public record Origin(Kind kind, String location, int line, String version) {

    /** The kinds of source. */
    public enum Kind { FILE, KUBERNETES, ETCD }

    public Origin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(location, "location");
        version = version == null ? "" : version;
    }

    /** A manifest file, at {@code line} (0 when unknown). */
    public static Origin file(Path file, int line) {
        return new Origin(Kind.FILE, file.toString(), line, "");
    }

    /** An object read from the Kubernetes API at {@code resourceVersion}. */
    public static Origin kubernetes(ObjectRef object, String resourceVersion) {
        return new Origin(Kind.KUBERNETES, object.toString(), 0, resourceVersion);
    }

    /** A value read from etcd at {@code key}, last modified at {@code revision}. */
    public static Origin etcd(String key, long revision) {
        return new Origin(Kind.ETCD, key, 0, Long.toString(revision));
    }

    /** The same origin at another line (files and etcd values; the API's objects have none). */
    public Origin atLine(int newLine) {
        return kind != Kind.KUBERNETES && newLine != line ? new Origin(kind, location, newLine, version) : this;
    }

    /** The file, when this is one. */
    public Path file() {
        return kind == Kind.FILE ? Path.of(location) : null;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case FILE -> line > 0 ? location + ":" + line : location;
            case KUBERNETES -> "kubernetes API " + location + (version.isEmpty() ? "" : " (resourceVersion " + version + ")");
            case ETCD -> "etcd key " + location + (version.isEmpty() ? "" : " (revision " + version + ")")
                    + (line > 0 ? " line " + line : "");
        };
    }
}
