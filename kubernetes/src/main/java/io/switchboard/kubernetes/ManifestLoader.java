package io.switchboard.kubernetes;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.ServiceId;
import io.switchboard.store.Checkout;
import io.switchboard.store.Definition;
import io.switchboard.store.ObjectStore;
import io.switchboard.store.Origin;
import io.switchboard.store.ValidationError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Reads a directory (or one file) of Kubernetes manifests into an {@link ObjectStore}, incrementally:
 * only files whose size or modification time changed are read, and only the objects they define are
 * recorded again, so adding one file to a directory defining 50,000 Services costs one small parse,
 * and a load that finds nothing changed returns the previous result itself.
 *
 * <p>The store holds the rules between objects (last good version, duplicates, address claims);
 * this class only turns files into definitions. A file that fails to parse keeps the definitions of
 * its last good parse and reports its syntax error; errors name the file, line, object and field.
 * Each document is one slot, so an object defined twice is taken from the first file (by path).
 * Not thread-safe: one loader serves one sync loop.
 */
public final class ManifestLoader {

    /** The name this source's errors are filed under in the store. */
    public static final String SOURCE = "file";

    /**
     * What a load produced.
     *
     * @param snapshot the desired state
     * @param errors   every current error
     * @param notes    valid objects that are ignored, and why
     * @param files    how many files were read
     * @param touched  the Services whose definition or endpoints this load changed (a hint for the
     *                 change tracker; a previous result returned again keeps its own)
     */
    public record LoadResult(ClusterSnapshot snapshot, List<ValidationError> errors, List<String> notes, int files,
                             Set<ServiceId> touched) {
        public LoadResult {
            errors = List.copyOf(errors);
            notes = List.copyOf(notes);
            touched = Set.copyOf(touched);
        }
    }

    /** A file as last read: the definitions of its last successful parse, and its current syntax error. */
    private record FileState(long size, FileTime modified, List<Definition> definitions, ValidationError syntaxError) {
    }

    private final Executor parsers;
    private final Path root;
    private final ResourceMapper mapper;
    private final ObjectStore store;
    private final DocumentMapper documents;

    /** The largest manifest file read: its text and one parsed document are in memory at once. */
    public static final long MAX_FILE_BYTES = 128L * 1024 * 1024;

    /** Parses files off the sync loop, as many at once as there are cores (which bounds a load's memory). */
    private static final ExecutorService PARSERS = parsers();

    /** A parse of one file as it was when the parse began. */
    private record Parse(BasicFileAttributes attrs, CompletableFuture<FileState> result) {
        boolean sameFile(BasicFileAttributes now) {
            return attrs != null && now != null && attrs.size() == now.size()
                    && attrs.lastModifiedTime().equals(now.lastModifiedTime());
        }
    }

    private final Map<Path, FileState> files = new HashMap<>();
    private final Map<Path, Parse> parsing = new HashMap<>();
    private Runnable onParsed = () -> { };
    private List<ValidationError> listErrors = List.of();
    private Checkout lastCheckout;
    private LoadResult last;

    /** A loader for {@code root}, a directory or a single manifest file, with a store of its own. */
    public ManifestLoader(Path root, ResourceMapper mapper) {
        this(root, mapper, new ObjectStore());
    }

    /** A loader for {@code root} that records into {@code store}. */
    public ManifestLoader(Path root, ResourceMapper mapper, ObjectStore store) {
        this(root, mapper, store, PARSERS);
    }

    /** A loader that parses files on {@code parsers} (tests hold a parse back with it). */
    ManifestLoader(Path root, ResourceMapper mapper, ObjectStore store, Executor parsers) {
        this.parsers = Objects.requireNonNull(parsers, "parsers");
        this.root = Objects.requireNonNull(root, "root");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.store = Objects.requireNonNull(store, "store");
        this.documents = new DocumentMapper(mapper);
    }

    /** The directory or file this loader reads. */
    public Path root() {
        return root;
    }

    /**
     * Runs {@code listener} (on a parsing thread) whenever a file finishes parsing, so a caller that
     * reads with patience can read again to take it.
     */
    public void onParsed(Runnable listener) {
        this.onParsed = Objects.requireNonNull(listener, "listener");
    }

    /** Reads what changed, waiting for every file, and records it into the store, without checking out. */
    public int read() {
        return read(Duration.ofNanos(-1));
    }

    /**
     * Reads what changed and records it into the store, without checking the store out; files not
     * parsed within {@code patience} keep their previous definitions until a later read takes them
     * (see {@link #onParsed}). A negative patience waits for every file.
     */
    public int read(Duration patience) {
        List<ValidationError> listing = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<Path> paths = listFiles(listing, skipped);
        store.sourceNotes(SOURCE, skipped);
        Map<Path, FileState> changed = readChanged(paths, patience);
        listErrors = listing;
        changed.forEach((path, state) -> {
            FileState before = files.get(path);
            if (before != null) {
                for (Definition d : before.definitions()) {
                    store.remove(d.ref(), d.slot());
                }
            }
            if (state == null) {
                files.remove(path);
                return;
            }
            files.put(path, state);
            state.definitions().forEach(store::put);
        });
        List<ValidationError> errors = new ArrayList<>(listErrors);
        for (FileState f : new TreeMap<>(files).values()) {
            if (f.syntaxError() != null) {
                errors.add(f.syntaxError());
            }
        }
        store.sourceErrors(SOURCE, errors);
        return paths.size();
    }

    /** Reads what changed and returns the whole desired state. Never throws for bad input. */
    public LoadResult load() {
        int fileCount = read();
        Checkout checkout = store.checkout();
        if (checkout == lastCheckout && last != null && last.files() == fileCount) {
            return last;
        }
        lastCheckout = checkout;
        return last = new LoadResult(checkout.snapshot(), checkout.errors(), checkout.notes(), fileCount,
                checkout.touched());
    }

    private List<Path> listFiles(List<ValidationError> errors, List<String> skipped) {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        if (!Files.isDirectory(root)) {
            errors.add(new ValidationError(root, 0, null, "", "no such file or directory"));
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            List<Path> all = s.sorted(Comparator.comparing(Path::toString)).toList();
            for (Path p : all) {
                String why = skippedBecause(p);
                if (why != null) {
                    skipped.add(p + ": skipped: " + why);
                }
            }
            return all.stream().filter(ManifestLoader::isManifest).toList();
        } catch (IOException e) {
            errors.add(new ValidationError(root, 0, null, "", "cannot list: " + e.getMessage()));
            return new ArrayList<>(files.keySet());
        }
    }

    /** Why a path named like a manifest is not read (a directory, a link that leads nowhere, a FIFO), or null. */
    static String skippedBecause(Path p) {
        String name = p.getFileName().toString();
        if (!isManifestName(name) || Files.isRegularFile(p)) {
            return null;
        }
        if (Files.isDirectory(p)) {
            return "a directory, not a file (subdirectories are not read)";
        }
        if (Files.isSymbolicLink(p)) {
            return "a symbolic link that leads to no file (dangling, or a loop)";
        }
        return "not a regular file (a FIFO, socket or device)";
    }

    /** YAML and JSON files, skipping hidden files and editor backups. */
    public static boolean isManifest(Path p) {
        return isManifestName(p.getFileName().toString()) && Files.isRegularFile(p);
    }

    /** Whether a file of this name is read: YAML or JSON, not hidden (editor backups and temporary files are). */
    public static boolean isManifestName(String name) {
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    /**
     * The files that appeared, changed or disappeared (mapped to null), parsed in parallel, each at
     * most once while it stays unchanged. Files still being parsed after {@code patience} are left
     * out (they keep their previous definitions) and are taken by a later read once parsed, so one
     * huge file does not hold up a small unrelated change. A file that no longer parses keeps the
     * definitions of its last good parse.
     */
    private Map<Path, FileState> readChanged(List<Path> paths, Duration patience) {
        List<Path> stale = new ArrayList<>();
        for (Path p : paths) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(p, BasicFileAttributes.class);
            } catch (IOException e) {
                attrs = null;
            }
            FileState cached = files.get(p);
            if (attrs != null && cached != null && cached.size() == attrs.size()
                    && attrs.lastModifiedTime().equals(cached.modified())) {
                parsing.remove(p);
                continue;
            }
            Parse running = parsing.get(p);
            if (running == null || !running.sameFile(attrs)) {
                if (running != null) {
                    running.result().cancel(false);
                }
                List<Definition> keep = cached == null ? List.of() : cached.definitions();
                BasicFileAttributes a = attrs;
                CompletableFuture<FileState> result = CompletableFuture.supplyAsync(() -> read(p, a, keep), parsers);
                result.whenComplete((state, failure) -> onParsed.run());
                parsing.put(p, new Parse(attrs, result));
            }
            stale.add(p);
        }
        long deadline = System.nanoTime() + patience.toNanos();
        Map<Path, FileState> out = new TreeMap<>();
        for (Path p : stale) {
            CompletableFuture<FileState> result = parsing.get(p).result();
            try {
                long left = deadline - System.nanoTime();
                out.put(p, patience.isNegative() ? result.join() : result.get(Math.max(0, left), TimeUnit.NANOSECONDS));
                parsing.remove(p);
            } catch (TimeoutException e) {
                // Still parsing: its previous definitions stay, and its completion asks for another read.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | CompletionException e) {
                parsing.remove(p);
                out.put(p, new FileState(-1, null, files.containsKey(p) ? files.get(p).definitions() : List.of(),
                        new ValidationError(p, 0, null, "", "cannot read: " + e.getCause())));
            }
        }
        Set<Path> present = new HashSet<>(paths);
        for (Path p : files.keySet()) {
            if (!present.contains(p)) {
                out.put(p, null);
            }
        }
        parsing.keySet().removeIf(p -> {
            boolean gone = !present.contains(p);
            if (gone) {
                parsing.get(p).result().cancel(false);
            }
            return gone;
        });
        return out;
    }

    /** How many files are still being parsed after the last read (their previous definitions stand). */
    public int filesBeingRead() {
        return parsing.size();
    }

    private FileState read(Path path, BasicFileAttributes attrs, List<Definition> keep) {
        if (attrs == null) {
            return new FileState(-1, null, keep, new ValidationError(path, 0, null, "", "cannot read its attributes"));
        }
        if (attrs.size() > MAX_FILE_BYTES) {
            return new FileState(attrs.size(), attrs.lastModifiedTime(), keep, new ValidationError(path, 0, null, "",
                    "too large: " + attrs.size() / (1024 * 1024) + " MiB; a manifest file may have at most "
                            + MAX_FILE_BYTES / (1024 * 1024) + " MiB (split it into several files)"));
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new FileState(-1, null, keep, new ValidationError(path, 0, null, "", "cannot read: " + e));
        }
        List<Definition> definitions = new ArrayList<>();
        ValidationError error = ManifestParser.parse(Origin.file(path, 0), text,
                doc -> definitions.add(map(doc, definitions.size())));
        if (error != null) {
            return new FileState(attrs.size(), attrs.lastModifiedTime(), keep, error);
        }
        return new FileState(attrs.size(), attrs.lastModifiedTime(), List.copyOf(definitions), null);
    }

    private static ExecutorService parsers() {
        int threads = Runtime.getRuntime().availableProcessors();
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "manifest-parse-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private Definition map(ManifestDocument doc, int index) {
        return documents.map(doc, SOURCE, doc.source().location(), index);
    }
}
