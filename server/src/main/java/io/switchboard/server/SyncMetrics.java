package io.switchboard.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;

/** How often and how long the sync loop runs, as Prometheus metrics. */
public final class SyncMetrics {

    private final Histogram duration = Histogram.builder()
            .name("switchboard_sync_duration_seconds")
            .help("Time a sync took: load manifests, diff, rebuild changed Services, publish")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
            .labelNames("changed")
            .build();
    private final Counter syncs = Counter.builder()
            .name("switchboard_syncs")
            .help("Syncs run")
            .labelNames("changed")
            .build();

    private volatile long lastSuccessMillis;

    /** Records one sync. */
    void record(long nanos, boolean changed) {
        lastSuccessMillis = System.currentTimeMillis();
        String label = Boolean.toString(changed);
        duration.labelValues(label).observe(nanos / 1e9);
        syncs.labelValues(label).inc();
    }

    /** The time of the last sync that completed, in seconds since the epoch (0 before the first). */
    GaugeWithCallback lastSuccess() {
        return GaugeWithCallback.builder()
                .name("switchboard_sync_last_success_timestamp_seconds")
                .help("When the last sync completed (time() minus this is the time since the last successful sync)")
                .callback(cb -> cb.call(lastSuccessMillis / 1000.0))
                .build();
    }

    /** Objects recorded by sources and not yet checked out by a sync. */
    static GaugeWithCallback pending(java.util.function.IntSupplier pending) {
        return GaugeWithCallback.builder()
                .name("switchboard_sync_pending_changes")
                .help("Objects sources recorded that no sync has checked out yet")
                .callback(cb -> cb.call(pending.getAsInt()))
                .build();
    }

    /** The duration histogram. */
    public Histogram duration() {
        return duration;
    }

    /** The sync counter. */
    public Counter syncs() {
        return syncs;
    }
}
