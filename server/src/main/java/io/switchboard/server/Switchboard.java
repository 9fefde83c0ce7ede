package io.switchboard.server;

import io.switchboard.admin.AdminServer;
import io.switchboard.dataplane.DataPlane;
import io.switchboard.health.HealthChecker;
import io.switchboard.kubernetes.ManifestLoader;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.kubernetes.ValidationError;
import io.switchboard.model.ServiceId;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.routing.RoutingUpdate;
import io.switchboard.scheduler.SchedulerConfig;
import io.switchboard.source.DirectoryWatcher;
import io.switchboard.sync.BoundedFrequencyRunner;
import io.switchboard.tracker.ChangeTracker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Switchboard: the manifest source, change tracker and sync loop feeding the data plane,
 * plus health checks and the admin server. Data flows one way: load, diff, rebuild what changed,
 * publish.
 */
public final class Switchboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);

    /** What the last sync saw, for the admin view. */
    public record SyncStatus(long syncs, long lastDurationNanos, List<ValidationError> errors, List<String> notes,
                             List<RoutingUpdate.Conflict> conflicts) {
    }

    private final SwitchboardConfig config;
    private final ManifestLoader loader;
    private final ChangeTracker tracker = new ChangeTracker();
    private final RoutingTableBuilder builder;
    private final DataPlane dataPlane;
    private final HealthChecker health;
    private final BoundedFrequencyRunner runner;
    private final DirectoryWatcher watcher;
    private final SyncMetrics syncMetrics = new SyncMetrics();
    private final AdminServer admin;
    private final CountDownLatch firstSync = new CountDownLatch(1);
    private final AtomicReference<SyncStatus> status = new AtomicReference<>(
            new SyncStatus(0, 0, List.of(), List.of(), List.of()));
    private final AtomicLong syncs = new AtomicLong();
    private List<ValidationError> reportedErrors = List.of();

    private Switchboard(SwitchboardConfig config) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        this.loader = new ManifestLoader(config.config(), new ResourceMapper(config.proxyName()));
        this.builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings(config.nodeName(),
                config.nodePortAddresses(), SchedulerConfig.DEFAULT, System::nanoTime));
        this.dataPlane = new DataPlane(new DataPlane.Settings(config.workers(), config.wildcardThreshold(),
                config.maxAffinityEntries(), config.maxUdpFlows(), config.maxConnections()));
        this.health = new HealthChecker(dataPlane.workers(), dataPlane.transport());
        this.runner = new BoundedFrequencyRunner("switchboard-sync", this::sync, config.minSyncInterval(),
                config.pollInterval(), Duration.ofSeconds(1));
        this.watcher = new DirectoryWatcher(config.config(), runner::request);
        this.admin = new AdminServer(config.admin(), this);
    }

    /** Starts serving {@code config}; returns once the admin server is up (the first sync follows). */
    public static Switchboard start(SwitchboardConfig config) throws IOException {
        Switchboard sb = new Switchboard(config);
        sb.admin.start();
        sb.watcher.start();
        sb.runner.start();
        sb.runner.request();
        LOG.atInfo().addKeyValue("config", config.config()).addKeyValue("workers", config.workers())
                .addKeyValue("transport", sb.dataPlane.transport()).addKeyValue("admin", sb.admin.address())
                .log("switchboard started");
        return sb;
    }

    /** Waits for the first sync; false on timeout. */
    public boolean awaitFirstSync(Duration timeout) throws InterruptedException {
        return firstSync.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One sync: load, diff, rebuild what changed, publish; runs on the sync thread only. */
    private void sync() {
        long start = System.nanoTime();
        ManifestLoader.LoadResult result = loader.load();
        long loaded = System.nanoTime();
        report(result.errors());
        Set<ServiceId> changes = tracker.changes(result.snapshot(), result.touched());
        long diffed = System.nanoTime();
        List<RoutingUpdate.Conflict> conflicts = status.get().conflicts();
        if (!changes.isEmpty()) {
            RoutingUpdate update = builder.apply(changes, result.snapshot());
            dataPlane.apply(update);
            tracker.applied(result.snapshot());
            conflicts = update.conflicts();
            for (RoutingUpdate.Conflict c : conflicts) {
                LOG.atError().addKeyValue("service", c.service()).addKeyValue("address", c.address())
                        .addKeyValue("holder", c.holder()).log("address conflict; keeping the current holder");
            }
            LOG.atInfo().addKeyValue("changedServices", changes.size())
                    .addKeyValue("services", update.table().services().size())
                    .addKeyValue("addresses", update.table().virtualServices().size())
                    .addKeyValue("tableVersion", update.table().version())
                    .addKeyValue("loadMillis", (loaded - start) / 1_000_000)
                    .addKeyValue("diffMillis", (diffed - loaded) / 1_000_000)
                    .addKeyValue("applyMillis", (System.nanoTime() - diffed) / 1_000_000).log("sync applied");
            health.reconcile(update.table(), changes);
        } else {
            dataPlane.retryListeners();
        }
        long duration = System.nanoTime() - start;
        syncMetrics.record(duration, !changes.isEmpty());
        status.set(new SyncStatus(syncs.incrementAndGet(), duration, result.errors(), result.notes(), conflicts));
        firstSync.countDown();
    }

    /** Logs configuration errors when they change, not at every poll. */
    private void report(List<ValidationError> errors) {
        if (errors.equals(reportedErrors)) {
            return;
        }
        for (ValidationError e : errors) {
            if (!reportedErrors.contains(e)) {
                var event = LOG.atError().addKeyValue("file", e.file()).addKeyValue("line", e.line());
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

    /** The routing table in effect. */
    public RoutingTable table() {
        return dataPlane.table();
    }

    /** The data plane. */
    public DataPlane dataPlane() {
        return dataPlane;
    }

    /** The last sync's status. */
    public SyncStatus status() {
        return status.get();
    }

    /** Sync counters and durations. */
    public SyncMetrics syncMetrics() {
        return syncMetrics;
    }

    /** True after the first sync. */
    public boolean ready() {
        return firstSync.getCount() == 0;
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

    @Override
    public void close() {
        watcher.close();
        runner.close();
        health.close();
        admin.close();
        dataPlane.close();
        LOG.atInfo().log("switchboard stopped");
    }
}
