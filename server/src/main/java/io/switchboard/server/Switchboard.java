package io.switchboard.server;

import io.switchboard.admin.AdminServer;
import io.switchboard.admin.ProxyState;
import io.switchboard.admin.SyncStatus;
import io.switchboard.dataplane.DataPlane;
import io.switchboard.health.HealthChecker;
import io.switchboard.health.RecoveryProbes;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.model.NodeInfo;
import io.switchboard.model.ServiceId;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.routing.RoutingUpdate;
import io.switchboard.scheduler.SchedulerConfig;
import io.switchboard.source.file.ManifestSource;
import io.switchboard.store.Checkout;
import io.switchboard.store.ObjectStore;
import io.switchboard.store.Source;
import io.switchboard.store.ValidationError;
import io.switchboard.sync.BoundedFrequencyRunner;
import io.switchboard.tracker.ChangeTracker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Switchboard, the composition root: its sources (manifest directory, Kubernetes API)
 * record into one object store; one bounded-frequency sync loop checks the store out, finds what
 * changed, rebuilds those Services and publishes them to the data plane; health checks and the
 * admin server watch. Data flows one way: record, check out, diff, rebuild, publish.
 */
public final class Switchboard implements ProxyState, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);

    private final SwitchboardConfig config;
    private final ObjectStore store;
    private final List<Source> sources = new ArrayList<>();
    private final ChangeTracker tracker = new ChangeTracker();
    private final RoutingTableBuilder builder;
    private final DataPlane dataPlane;
    private final HealthChecker health;
    private final RecoveryProbes recovery;
    private final BoundedFrequencyRunner runner;
    private final SyncMetrics syncMetrics = new SyncMetrics();
    private final AdminServer admin;
    private final CountDownLatch firstSync = new CountDownLatch(1);
    /** Sync thread only. */
    private final HeapTrim heapTrim = new HeapTrim();
    private final AtomicReference<SyncStatus> status = new AtomicReference<>(SyncStatus.NONE);
    private final AtomicLong syncs = new AtomicLong();
    private final List<SyncListener> listeners = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private volatile String readinessDetail = "waiting for the first sync";
    private volatile boolean draining;
    private volatile boolean handedOver;
    private final java.time.Instant startedAt = java.time.Instant.now();
    private final java.util.Map<String, AutoCloseable> nodePorts = new java.util.LinkedHashMap<>();
    private final AtomicBoolean following = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private List<ValidationError> reportedErrors = List.of();
    private volatile java.time.Instant lastSyncAt;
    /** Services an operator drain changed, rebuilt at the next sync so schedulers see the new weights. */
    private final Set<ServiceId> forcedRebuilds = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Told about every sync, on the sync thread (health servers, source metrics). */
    public interface SyncListener {
        /**
         * Called after a sync that began at {@code started}; {@code table} is in effect, {@code changed}
         * the Services this sync rebuilt (empty when it rebuilt none), {@code node} is this node.
         */
        void synced(RoutingTable table, Set<ServiceId> changed, NodeInfo node, boolean ready, java.time.Instant started);

        /** A source recorded a change that waits for a sync; any thread. */
        default void queued() {
        }
    }

    private Switchboard(SwitchboardConfig config) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        if (config.config() == null && config.kubernetes() == null && config.etcd() == null) {
            throw new IllegalArgumentException("no source: give a manifest directory, the Kubernetes API or etcd");
        }
        this.store = new ObjectStore(config.nodePortAddresses());
        this.dataPlane = new DataPlane(new DataPlane.Settings(config.workers(), config.wildcardThreshold(),
                config.maxAffinityEntries(), config.maxUdpFlows(), config.maxConnections(), config.transport()));
        this.health = new HealthChecker(dataPlane.workers(), dataPlane.transport());
        this.recovery = new RecoveryProbes(dataPlane.workers(), dataPlane.transport());
        this.builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings(config.nodeName(),
                config.nodePortAddresses(), SchedulerConfig.DEFAULT, System::nanoTime, recovery));
        this.runner = new BoundedFrequencyRunner("switchboard-sync", this::sync, config.minSyncInterval(),
                config.pollInterval(), Duration.ofSeconds(1));
        ResourceMapper mapper = new ResourceMapper(config.proxyName());
        if (config.config() != null) {
            sources.add(new ManifestSource(config.config(), mapper, store));
        }
        this.admin = new AdminServer(config.admin(), this, config.adminActions());
        admin.registry().register(syncMetrics.duration());
        admin.registry().register(syncMetrics.syncs());
        admin.registry().register(syncMetrics.lastSuccess());
        admin.registry().register(SyncMetrics.pending(store::pendingChanges));
        try {
            Sources.addConfigured(this, config, mapper);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts serving {@code config}, refusing to when another Switchboard runs on its admin address. */
    public static Switchboard start(SwitchboardConfig config) throws IOException {
        return start(config, false);
    }

    /**
     * Starts serving {@code config}; returns once the admin server is up (the first sync follows).
     * Another Switchboard on the admin address is refused, unless {@code takeover}: then it hands
     * over its node-wide ports first (see {@link Takeover}).
     */
    public static Switchboard start(SwitchboardConfig config, boolean takeover) throws IOException {
        Takeover.ensureAlone(config.admin(), takeover);
        Switchboard sb = new Switchboard(config);
        try {
            sb.admin.start();
        } catch (IOException e) {
            sb.close();
            throw new IOException("admin server " + config.admin() + ": " + e.getMessage(), e);
        }
        try {
            for (Source s : sb.sources) {
                s.start(sb::changeQueued);
            }
        } catch (Exception e) {
            sb.close();
            throw new IOException("cannot start a source: " + e.getMessage(), e);
        }
        sb.runner.start();
        sb.runner.request();
        LOG.atInfo().addKeyValue("sources", sb.sources.stream().map(Source::name).toList())
                .addKeyValue("config", config.config()).addKeyValue("workers", config.workers())
                .addKeyValue("transport", sb.dataPlane.transport().label())
                .addKeyValue("udpTransport", sb.dataPlane.datagramTransport().label()).addKeyValue("admin", sb.admin.address())
                .log("switchboard started");
        return sb;
    }

    private void changeQueued() {
        for (SyncListener l : listeners) {
            l.queued();
        }
        runner.request();
    }

    /** Adds a source before start (the composition of {@link Sources}). */
    void addSource(Source source) {
        sources.add(Objects.requireNonNull(source, "source"));
    }

    /** Adds a sync listener before start. */
    void addListener(SyncListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private volatile java.net.InetSocketAddress healthzAddress;

    void healthz(java.net.InetSocketAddress address) {
        healthzAddress = address;
    }

    /** The zone of this node the routing table was last built for (empty when unknown). */
    public String zoneInEffect() {
        return builder.node().zone();
    }

    /** Where the proxy health server ({@code /healthz}, {@code /livez}) listens, or null when off. */
    public java.net.InetSocketAddress healthzAddress() {
        return healthzAddress;
    }

    /** Closes {@code c} with this instance, after the sources and the admin server. */
    void closeWith(AutoCloseable c) {
        closeables.add(Objects.requireNonNull(c, "c"));
    }

    /** Closes {@code c} with this instance, or when a successor takes over the node ports it holds. */
    void releaseOnHandover(String what, AutoCloseable c) {
        closeWith(c);
        nodePorts.put(what, c);
    }

    @Override
    public Instance instance() {
        return new Instance(ProcessHandle.current().pid(), Version.current(), startedAt, draining, handedOver);
    }

    @Override
    public List<String> handOver(String successor) {
        handedOver = true;
        List<String> released = new ArrayList<>();
        nodePorts.forEach((what, c) -> {
            try {
                c.close();
                released.add(what);
            } catch (Exception e) {
                LOG.atWarn().setCause(e).addKeyValue("port", what).log("cannot release a node port for the successor");
            }
        });
        return released;
    }

    /** The store every source records into. */
    ObjectStore store() {
        return store;
    }

    /** The admin server, for sources that register metrics. */
    AdminServer admin() {
        return admin;
    }

    /** Waits for the first sync after every source was read in full; false on timeout. */
    public boolean awaitFirstSync(Duration timeout) throws InterruptedException {
        return firstSync.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One sync: let sources record, check out, diff, rebuild what changed, publish; on the sync thread only. */
    private void sync() {
        long start = System.nanoTime();
        java.time.Instant started = java.time.Instant.now();
        for (Source s : sources) {
            s.beforeSync();
        }
        List<String> waiting = new ArrayList<>();
        for (Source s : sources) {
            Source.Status st = s.status();
            if (!st.ready()) {
                waiting.add(s.name() + ": " + st.detail());
            }
        }
        Checkout checkout = store.checkout();
        long loaded = System.nanoTime();
        report(checkout.errors());
        NodeInfo node = checkout.node() != null ? checkout.node() : NodeInfo.named(config.nodeName());
        Set<ServiceId> changes = tracker.changes(checkout.snapshot(), checkout.touched());
        if (!node.equals(builder.node())) {
            LOG.atInfo().addKeyValue("node", node.name()).addKeyValue("zone", node.zone())
                    .addKeyValue("eligible", node.eligible()).log("node changed");
            boolean zoneChanged = !node.zone().equals(builder.node().zone());
            builder.node(node);
            if (zoneChanged) {
                // Zone hints depend on this node's zone: every Service is decided again. Eligibility
                // only concerns the health servers.
                changes = new HashSet<>(changes);
                changes.addAll(checkout.snapshot().services().keySet());
                changes.addAll(builder.current().services().keySet());
            }
        }
        if (!forcedRebuilds.isEmpty()) {
            changes = new HashSet<>(changes);
            for (java.util.Iterator<ServiceId> it = forcedRebuilds.iterator(); it.hasNext(); ) {
                ServiceId id = it.next();
                it.remove();
                if (checkout.snapshot().services().containsKey(id) || builder.current().services().containsKey(id)) {
                    changes.add(id);
                }
            }
        }
        long diffed = System.nanoTime();
        if (!changes.isEmpty()) {
            RoutingUpdate update = builder.apply(changes, checkout.snapshot());
            dataPlane.apply(update);
            tracker.applied(checkout.snapshot());
            LOG.atInfo().addKeyValue("changedServices", changes.size())
                    .addKeyValue("services", update.table().services().size())
                    .addKeyValue("addresses", update.table().virtualServices().size())
                    .addKeyValue("tableVersion", update.table().version())
                    .addKeyValue("loadMillis", (loaded - start) / 1_000_000)
                    .addKeyValue("diffMillis", (diffed - loaded) / 1_000_000)
                    .addKeyValue("applyMillis", (System.nanoTime() - diffed) / 1_000_000).log("sync applied");
            health.reconcile(update.table(), changes);
            recovery.reconcile(update.table(), changes);
        } else {
            dataPlane.retryListeners();
        }
        long duration = System.nanoTime() - start;
        syncMetrics.record(duration, !changes.isEmpty());
        status.set(new SyncStatus(syncs.incrementAndGet(), duration, checkout.errors(), checkout.notes(),
                checkout.conflicts()));
        lastSyncAt = java.time.Instant.now();
        for (Source s : sources) {
            s.synced();
        }
        boolean ready = waiting.isEmpty();
        readinessDetail = String.join("; ", waiting);
        for (SyncListener l : listeners) {
            l.synced(dataPlane.table(), changes, node, ready, started);
        }
        if (ready) {
            firstSync.countDown();
        }
        heapTrim.afterSync(ready);
    }

    /** Logs configuration errors when they change, not at every poll. */
    private void report(List<ValidationError> errors) {
        if (errors.equals(reportedErrors)) {
            return;
        }
        for (ValidationError e : errors) {
            if (!reportedErrors.contains(e)) {
                var event = LOG.atError().addKeyValue("origin", e.origin());
                if (e.object() != null) {
                    event = event.addKeyValue("object", e.object());
                }
                if (!e.field().isEmpty()) {
                    event = event.addKeyValue("field", e.field());
                }
                event.log("invalid configuration kept out: " + e.message());
            }
        }
        if (errors.isEmpty() && !reportedErrors.isEmpty()) {
            LOG.atInfo().log("configuration errors resolved");
        }
        reportedErrors = errors;
    }

    @Override
    public RoutingTable table() {
        return dataPlane.table();
    }

    @Override
    public DataPlane dataPlane() {
        return dataPlane;
    }

    @Override
    public SyncStatus status() {
        return status.get();
    }

    /** Sync counters and durations. */
    public SyncMetrics syncMetrics() {
        return syncMetrics;
    }

    /** True after the first sync that had every source read in full. */
    public boolean ready() {
        return firstSync.getCount() == 0;
    }

    @Override
    public Readiness readiness() {
        if (draining) {
            return new Readiness(false, "draining");
        }
        if (!ready()) {
            return new Readiness(false, readinessDetail);
        }
        // Once ready, a source that cannot follow changes keeps serving the last state: still ready, with why.
        return new Readiness(true, String.join("; ", sources.stream().filter(s -> s.status().degraded())
                .map(s -> s.name() + ": " + s.status().detail()).toList()));
    }

    @Override
    public List<SourceState> sources() {
        return sources.stream().map(src -> {
            Source.Status st = src.status();
            return new SourceState(src.name(), st.ready(), st.degraded(), st.detail());
        }).toList();
    }

    @Override
    public java.time.Instant lastSync() {
        return lastSyncAt;
    }

    @Override
    public int pendingChanges() {
        return store.pendingChanges();
    }

    private volatile java.util.function.Supplier<List<FleetMemberState>> fleet = List::of;

    /** Where {@link #fleet()} comes from (the etcd fleet roster), set before start. */
    void fleetFrom(java.util.function.Supplier<List<FleetMemberState>> roster) {
        fleet = Objects.requireNonNull(roster, "roster");
    }

    @Override
    public List<FleetMemberState> fleet() {
        return fleet.get();
    }

    @Override
    public List<String> drain(String service, String endpoint, boolean drained) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(endpoint, "endpoint");
        int slash = service.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("service must be namespace/name: " + service);
        }
        ServiceId id = new ServiceId(service.substring(0, slash), service.substring(slash + 1));
        io.switchboard.routing.ServiceRoutes routes = dataPlane.table().services().get(id);
        List<String> changed = new ArrayList<>();
        if (routes == null) {
            return changed;
        }
        for (io.switchboard.routing.Backend b : routes.allBackends()) {
            String ip = b.address().getHostAddress();
            String hostPort = (b.address() instanceof java.net.Inet6Address ? "[" + ip + "]" : ip) + ":" + b.port();
            if (endpoint.equals(hostPort) || endpoint.equals(ip)) {
                b.operatorDrain(drained);
                changed.add(b.toString());
            }
        }
        if (!changed.isEmpty()) {
            LOG.atInfo().addKeyValue("service", service).addKeyValue("endpoint", endpoint)
                    .addKeyValue("drained", drained).addKeyValue("endpoints", changed).log("operator drain");
            forcedRebuilds.add(id);
            runner.request();
        }
        return changed;
    }

    /** The configuration. */
    public SwitchboardConfig config() {
        return config;
    }

    /** Where the admin server listens. */
    public java.net.InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** Asks for a sync now (tests and the admin API use it). */
    public void requestSync() {
        runner.request();
    }

    /**
     * Drains and stops, for a restart that drops nothing: stops following the sources (routing is
     * frozen as it is), lets the data plane drain for at most {@code timeout} (see
     * {@link DataPlane#drain}), then closes everything. Interrupted (a second stop signal), it stops
     * at once, cutting what is still open.
     *
     * @return what was still open when the drain ended
     */
    public DataPlane.Drained drainAndClose(Duration timeout) {
        draining = true;
        long start = System.nanoTime();
        LOG.atInfo().addKeyValue("connections", dataPlane.openConnections()).addKeyValue("timeout", timeout)
                .log("draining: no longer accepting TCP connections");
        stopFollowing();
        DataPlane.Drained left;
        try {
            left = dataPlane.drain(timeout);
            LOG.atInfo().addKeyValue("millis", (System.nanoTime() - start) / 1_000_000)
                    .addKeyValue("connectionsCut", left.connections()).addKeyValue("udpFlowsCut", left.flows())
                    .log(left.complete() ? "drained" : "drain timed out; closing what is left");
        } catch (InterruptedException e) {
            left = new DataPlane.Drained(dataPlane.openConnections(), -1);
            LOG.atWarn().addKeyValue("connectionsCut", left.connections()).log("drain interrupted; stopping now");
            close();
            Thread.currentThread().interrupt();
            return left;
        }
        close();
        return left;
    }

    /** Stops the sources and the sync loop, once. */
    private void stopFollowing() {
        if (!following.compareAndSet(true, false)) {
            return;
        }
        for (Source s : sources) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.atWarn().setCause(e).addKeyValue("source", s.name()).log("closing a source failed");
            }
        }
        runner.close();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopFollowing();
        health.close();
        recovery.close();
        admin.close();
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.atWarn().setCause(e).log("closing failed");
            }
        }
        dataPlane.close();
        LOG.atInfo().log("switchboard stopped");
    }
}
