package io.switchboard.source.file;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when anything changes in a directory (or in the directory of a watched file), through
 * the platform's file watch (inotify on Linux). It only signals; the sync loop's periodic run is the
 * fallback that catches what a watch misses (network file systems, a directory created later).
 */
public final class DirectoryWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final Path directory;
    private final Runnable onChange;
    private WatchService watch;
    private Thread thread;

    /** A watcher of {@code path} (a directory or a file) that calls {@code onChange}. */
    public DirectoryWatcher(Path path, Runnable onChange) {
        Path abs = path.toAbsolutePath();
        this.directory = Files.isDirectory(abs) ? abs : abs.getParent();
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
            key.pollEvents();
            onChange.run();
            if (!key.reset()) {
                LOG.atWarn().addKeyValue("directory", directory).log("watched directory went away; polling only");
                return;
            }
        }
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
