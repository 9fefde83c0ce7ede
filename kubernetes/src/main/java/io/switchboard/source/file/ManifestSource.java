package io.switchboard.source.file;

import io.switchboard.kubernetes.ManifestLoader;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.store.ObjectStore;
import io.switchboard.store.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The manifest directory (or file) as a source: a file watch asks for a sync, and each sync first
 * reads the files that changed into the store. The first read waits for every file; later ones wait
 * at most {@link #PATIENCE}, so a small change is served while a huge file is still being parsed,
 * and a file parsed later asks for a sync of its own. The sync loop's periodic run is the fallback
 * for changes a watch misses.
 */
public final class ManifestSource implements Source {

    /** How long a sync waits for files being parsed before it goes on without them. */
    static final Duration PATIENCE = Duration.ofMillis(200);

    private final Path root;
    private final ManifestLoader loader;
    private volatile boolean read;
    private volatile int files;
    private DirectoryWatcher watcher;

    /** A source reading {@code root} into {@code store}. */
    public ManifestSource(Path root, ResourceMapper mapper, ObjectStore store) {
        this.root = Objects.requireNonNull(root, "root");
        this.loader = new ManifestLoader(root, mapper, store);
    }

    @Override
    public String name() {
        return ManifestLoader.SOURCE;
    }

    @Override
    public void start(Runnable onChange) {
        loader.onParsed(onChange);
        watcher = new DirectoryWatcher(root, this::matters, onChange);
        watcher.start();
    }

    /**
     * Whether a change to {@code name} in the watched directory can change what is read: a manifest
     * name the loader reads (the file itself when the root is one file), or a name starting with
     * {@code ..}, which is how Kubernetes swaps a mounted ConfigMap's files in at once (the visible
     * names are links through {@code ..data}, and only {@code ..data} changes).
     */
    boolean matters(Path name) {
        String n = name.toString();
        if (n.startsWith("..")) {
            return true;
        }
        Path file = root.getFileName();
        if (file != null && !Files.isDirectory(root)) {
            return name.equals(file);
        }
        return ManifestLoader.isManifestName(n);
    }

    @Override
    public void beforeSync() {
        files = read ? loader.read(PATIENCE) : loader.read();
        read = true;
    }

    @Override
    public Status status() {
        int parsing = loader.filesBeingRead();
        return new Status(read, false, !read ? "not read yet: " + root
                : files + " files read from " + root + (parsing > 0 ? ", " + parsing + " being parsed" : ""));
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
