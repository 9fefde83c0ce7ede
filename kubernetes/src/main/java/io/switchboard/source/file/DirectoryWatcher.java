package io.switchboard.source.file;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when a name that matters changes in a directory (or in the directory of a watched
 * file), through the platform's file watch (inotify on Linux). Changes to other names are dropped
 * here: a tool that writes a hidden temporary file and renames it into place would otherwise start
 * a sync for the temporary file, and the rename, arriving within the sync loop's minimum interval,
 * would wait that interval out. A lost event (overflow) always calls back. It only signals; the sync
 * loop's periodic run is the fallback that catches what a watch misses (network file systems, a
 * directory created later).
 */
public final class DirectoryWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final Path directory;
    private final Predicate<Path> matters;
    private final Runnable onChange;
    private WatchService watch;
    private Thread thread;

    /**
     * A watcher of {@code path} (a directory or a file) that calls {@code onChange} when a name in
     * the directory for which {@code matters} holds is created, modified or deleted.
     */
    public DirectoryWatcher(Path path, Predicate<Path> matters, Runnable onChange) {
        Path abs = path.toAbsolutePath();
        this.directory = Files.isDirectory(abs) ? abs : abs.getParent();
        this.matters = Objects.requireNonNull(matters, "matters");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    /** Starts watching; if the platform cannot watch, logs why and relies on polling. */
    public void start() {
        try {
            watch = FileSystems.getDefault().newWatchService();
            directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().addKeyValue("directory", directory).addKeyValue("cause", e.toString())
                    .log("cannot watch; changes are picked up by polling only");
            return;
        }
        thread = new Thread(this::loop, "switchboard-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (true) {
            WatchKey key;
            try {
                key = watch.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            if (anyMatters(key)) {
                onChange.run();
            }
            if (!key.reset()) {
                LOG.atWarn().addKeyValue("directory", directory).log("watched directory went away; polling only");
                return;
            }
        }
    }

    private boolean anyMatters(WatchKey key) {
        boolean any = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            // Every event is polled, even after one matched, so none is left for the next take.
            any |= !(event.context() instanceof Path name) || matters.test(name);
        }
        return any;
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                LOG.atDebug().setCause(e).log("closing watch service");
            }
        }
    }
}
