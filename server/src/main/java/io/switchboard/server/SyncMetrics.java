package io.switchboard.server;

import io.prometheus.metrics.core.metrics.Counter;
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

    /** Records one sync. */
    void record(long nanos, boolean changed) {
        String label = Boolean.toString(changed);
        duration.labelValues(label).observe(nanos / 1e9);
        syncs.labelValues(label).inc();
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
