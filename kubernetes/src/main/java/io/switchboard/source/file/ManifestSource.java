package io.switchboard.source.file;

import io.switchboard.kubernetes.ManifestLoader;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.store.ObjectStore;
import io.switchboard.store.Source;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The manifest directory (or file) as a source: a file watch asks for a sync, and each sync first
 * reads the files that changed into the store. The sync loop's periodic run is the fallback for
 * changes a watch misses.
 */
public final class ManifestSource implements Source {

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
        watcher = new DirectoryWatcher(root, onChange);
        watcher.start();
    }

    @Override
    public void beforeSync() {
        files = loader.read();
        read = true;
    }

    @Override
    public Status status() {
        return new Status(read, false, read ? files + " files read from " + root : "not read yet: " + root);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
