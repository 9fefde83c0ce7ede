package io.switchboard.source.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.switchboard.kubernetes.DocumentMapper;
import io.switchboard.kubernetes.ManifestDocument;
import io.switchboard.kubernetes.ManifestParser;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.store.Definition;
import io.switchboard.store.ObjectStore;
import io.switchboard.store.Origin;
import io.switchboard.store.Source;
import io.switchboard.store.ValidationError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests stored in etcd: every value under the prefix is a manifest document (YAML or JSON; a
 * Service, EndpointSlice, Endpoints or a {@code List}), read as a file is. It reads the prefix at one
 * revision, then watches from the next; jetcd resumes a broken watch from the last revision seen,
 * and when that revision was compacted this source lists again and replaces its state, so objects
 * that did not change keep their definitions (and their traffic). A value that does not parse keeps
 * the objects of its last good version and reports its key and revision; an object with a bad field
 * is kept at its last good version by the store. Keys under {@code PREFIX fleet/} are fleet members,
 * not manifests.
 */
public final class EtcdSource implements Source {

    /** The name this source's definitions and errors are filed under. */
    public static final String SOURCE = "etcd";
    private static final Logger LOG = LoggerFactory.getLogger(EtcdSource.class);
    private static final long RETRY_MILLIS = 1000;

    private final EtcdSettings settings;
    private final ObjectStore store;
    private final DocumentMapper documents;
    private final EtcdMetrics metrics = new EtcdMetrics(this);
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchboard-etcd");
        t.setDaemon(true);
        return t;
    });
    /** Definitions recorded per key, and values that do not parse. Guarded by this. */
    private final Map<String, List<Definition>> byKey = new HashMap<>();
    private final Map<String, ValidationError> syntaxErrors = new TreeMap<>();
    private Client client;
    private Watch.Watcher watcher;
    private Runnable onChange = () -> { };
    private volatile FleetListener fleet = FleetListener.NONE;
    private volatile boolean closed;
    private volatile boolean ready;
    private volatile boolean degraded;
    private volatile String detail = "connecting";
    private volatile long revision;
    /** The revision of the last manifest change applied (fleet entries do not count). */
    private volatile long configRevision;
    private volatile long lastEventNanos;
    private String lastFailure;

    /** A source reading {@code settings}' prefix into {@code store}. */
    public EtcdSource(EtcdSettings settings, ResourceMapper mapper, ObjectStore store) {
        this.settings = settings;
        this.store = store;
        this.documents = new DocumentMapper(mapper);
    }

    /** Told of the fleet's keys (members, shared load) this source's watch sees; the source itself skips them. */
    public interface FleetListener {
        /** Ignores everything. */
        FleetListener NONE = new FleetListener() {
            @Override
            public void put(String key, String value) {
            }

            @Override
            public void deleted(String key) {
            }

            @Override
            public void listed(Map<String, String> all) {
            }
        };

        /** A fleet key was written. */
        void put(String key, String value);

        /** A fleet key was deleted (its lease expired, or its owner removed it). */
        void deleted(String key);

        /** A full list: these are every fleet key now. */
        void listed(Map<String, String> all);
    }

    /**
     * Sends the fleet's keys to {@code listener} from now on, besides the listeners already added (add
     * them before {@link #start}).
     */
    public synchronized void fleetListener(FleetListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        FleetListener before = this.fleet;
        this.fleet = before == FleetListener.NONE ? listener : new FleetListener() {
            @Override
            public void put(String key, String value) {
                before.put(key, value);
                listener.put(key, value);
            }

            @Override
            public void deleted(String key) {
                before.deleted(key);
                listener.deleted(key);
            }

            @Override
            public void listed(Map<String, String> all) {
                before.listed(all);
                listener.listed(all);
            }
        };
    }

    @Override
    public String name() {
        return SOURCE;
    }

    /** This source's metrics. */
    public EtcdMetrics metrics() {
        return metrics;
    }

    @Override
    public void start(Runnable onChange) {
        this.onChange = onChange;
        client = settings.client();
        executor.execute(this::listAndWatch);
    }

    /** The revision of the last event or list applied; 0 before the first list. */
    public long revision() {
        return revision;
    }

    /**
     * The revision of the last change to a manifest this source has applied: what {@code fleet list}
     * compares across instances (the prefix's own revision also moves with fleet entries).
     */
    public long configRevision() {
        return configRevision;
    }

    /** Nanos ({@link System#nanoTime}) of the last event or list, 0 before. */
    long lastEventNanos() {
        return lastEventNanos;
    }

    @Override
    public Status status() {
        return new Status(ready, degraded, detail);
    }

    /** Lists the prefix at one revision, replaces what this source recorded, then watches from the next. */
    private void listAndWatch() {
        if (closed) {
            return;
        }
        ByteSequence prefix = settings.prefixBytes();
        try {
            GetResponse r = client.getKVClient().get(prefix, GetOption.builder().isPrefix(true).build())
                    .get(10, TimeUnit.SECONDS);
            long rev = r.getHeader().getRevision();
            replaceAll(r.getKvs(), rev);
            revision = rev;
            lastEventNanos = System.nanoTime();
            metrics.listed();
            ready = true;
            degraded = false;
            lastFailure = null;
            detail = "watching " + settings.prefix() + " from revision " + (rev + 1);
            LOG.atInfo().addKeyValue("prefix", settings.prefix()).addKeyValue("revision", rev)
                    .addKeyValue("keys", r.getKvs().size()).log("etcd listed in full");
            onChange.run();
            watch(rev + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed("cannot list " + settings.prefix() + " from " + settings.endpoints(), e);
            executor.schedule(this::listAndWatch, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void watch(long fromRevision) {
        if (closed) {
            return;
        }
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        watcher = client.getWatchClient().watch(settings.prefixBytes(), option,
                Watch.listener(this::onEvents, this::onWatchError, this::onWatchEnded));
    }

    private void onEvents(WatchResponse response) {
        if (closed) {
            return;
        }
        long last = revision;
        for (WatchEvent e : response.getEvents()) {
            KeyValue kv = e.getKeyValue();
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            switch (e.getEventType()) {
                case PUT -> {
                    if (isFleetKey(key)) {
                        fleet.put(key, kv.getValue().toString(StandardCharsets.UTF_8));
                    } else {
                        record(key, kv);
                    }
                }
                case DELETE -> {
                    if (isFleetKey(key)) {
                        fleet.deleted(key);
                    } else {
                        forget(key);
                        configRevision = Math.max(configRevision, kv.getModRevision());
                    }
                }
                default -> LOG.atWarn().addKeyValue("key", key).addKeyValue("type", e.getEventType())
                        .log("etcd watch event of an unknown type, ignored");
            }
            metrics.event(e.getEventType().name());
            last = Math.max(last, kv.getModRevision());
        }
        revision = last;
        lastEventNanos = System.nanoTime();
        if (degraded) {
            degraded = false;
            lastFailure = null;
            LOG.atInfo().addKeyValue("revision", last).log("etcd watch resumed");
        }
        detail = "watching " + settings.prefix() + " at revision " + last;
        onChange.run();
    }

    private void onWatchError(Throwable t) {
        if (closed) {
            return;
        }
        if (t instanceof CompactedException || t.getCause() instanceof CompactedException) {
            // The revision to resume from is gone: list again. Unchanged objects keep their definitions.
            metrics.relisted();
            LOG.atWarn().addKeyValue("revision", revision).addKeyValue("cause", t.getMessage())
                    .log("etcd compacted past the last revision seen; listing again");
            closeWatcher();
            executor.execute(this::listAndWatch);
            return;
        }
        metrics.reconnected();
        failed("etcd watch interrupted; resuming from revision " + (revision + 1), t);
    }

    /** jetcd ends a watch it will not resume (compaction, a halting error): start a new one, or list. */
    private void onWatchEnded() {
        if (closed) {
            return;
        }
        executor.schedule(() -> {
            closeWatcher();
            if (!closed) {
                watch(revision + 1);
            }
        }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void failed(String what, Throwable t) {
        degraded = true;
        String cause = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        detail = what + ": " + cause;
        // Said once per distinct failure; the metrics count every one.
        if (!detail.equals(lastFailure)) {
            LOG.atWarn().addKeyValue("cause", cause).log(what);
            lastFailure = detail;
        }
    }

    private synchronized void closeWatcher() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    private boolean isFleetKey(String key) {
        return key.startsWith(settings.prefix() + EtcdSettings.FLEET);
    }

    /** Records every key listed and forgets the ones this source had that are gone. */
    private synchronized void replaceAll(List<KeyValue> kvs, long listRevision) {
        Set<String> present = new HashSet<>();
        Map<String, String> fleetKeys = new HashMap<>();
        long latest = 0;
        for (KeyValue kv : kvs) {
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            if (isFleetKey(key)) {
                fleetKeys.put(key, kv.getValue().toString(StandardCharsets.UTF_8));
                continue;
            }
            present.add(key);
            record(key, kv);
            latest = Math.max(latest, kv.getModRevision());
        }
        for (String key : new ArrayList<>(byKey.keySet())) {
            if (!present.contains(key)) {
                forget(key);
                // Deleted at some revision up to this list's; the list's is the one known.
                latest = listRevision;
            }
        }
        configRevision = Math.max(configRevision, latest);
        fleet.listed(fleetKeys);
        for (String key : new ArrayList<>(syntaxErrors.keySet())) {
            if (!present.contains(key)) {
                syntaxErrors.remove(key);
            }
        }
        store.sourceErrors(SOURCE, List.copyOf(syntaxErrors.values()));
    }

    private synchronized void record(String key, KeyValue kv) {
        if (isFleetKey(key)) {
            return;
        }
        configRevision = Math.max(configRevision, kv.getModRevision());
        Origin origin = Origin.etcd(key, kv.getModRevision());
        ManifestParser.Result parsed = ManifestParser.parse(origin, kv.getValue().toString(StandardCharsets.UTF_8));
        if (parsed.error() != null) {
            // The objects of its last good value stay.
            syntaxErrors.put(key, parsed.error());
            store.sourceErrors(SOURCE, List.copyOf(syntaxErrors.values()));
            return;
        }
        if (syntaxErrors.remove(key) != null) {
            store.sourceErrors(SOURCE, List.copyOf(syntaxErrors.values()));
        }
        List<Definition> defs = new ArrayList<>();
        int index = 0;
        for (ManifestDocument doc : parsed.documents()) {
            defs.add(documents.map(doc, SOURCE, key, index++));
        }
        List<Definition> before = byKey.put(key, List.copyOf(defs));
        if (before != null) {
            // A slot whose object changed (or that is gone) is forgotten; an equal one stays as recorded.
            for (int i = 0; i < before.size(); i++) {
                Definition old = before.get(i);
                if (i >= defs.size() || !defs.get(i).ref().equals(old.ref())) {
                    store.remove(old.ref(), old.slot());
                }
            }
        }
        defs.forEach(store::put);
    }

    private synchronized void forget(String key) {
        List<Definition> before = byKey.remove(key);
        if (before != null) {
            before.forEach(d -> store.remove(d.ref(), d.slot()));
        }
        if (syntaxErrors.remove(key) != null) {
            store.sourceErrors(SOURCE, List.copyOf(syntaxErrors.values()));
        }
    }

    @Override
    public void close() {
        closed = true;
        closeWatcher();
        executor.shutdownNow();
        if (client != null) {
            client.close();
        }
    }
}
