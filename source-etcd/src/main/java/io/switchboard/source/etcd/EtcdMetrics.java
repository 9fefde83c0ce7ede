package io.switchboard.source.etcd;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import java.util.List;

/**
 * The etcd source's metrics: events applied, watch interruptions (each resumed from the last
 * revision), full lists (the first, and after a compaction), the revision applied and the time since
 * the last event or list.
 */
public final class EtcdMetrics {

    private final Counter events = Counter.builder()
            .name("switchboard_etcd_events")
            .help("etcd watch events applied, by type (PUT, DELETE)")
            .labelNames("type")
            .build();
    private final Counter reconnects = Counter.builder()
            .name("switchboard_etcd_watch_reconnects")
            .help("Times the etcd watch broke and was resumed from the last revision seen")
            .build();
    private final Counter lists = Counter.builder()
            .name("switchboard_etcd_lists")
            .help("Full reads of the prefix: the first, retries of it, and relists after a compaction")
            .build();
    private final Counter relists = Counter.builder()
            .name("switchboard_etcd_relists")
            .help("Relists because etcd compacted past the last revision seen")
            .build();
    private final GaugeWithCallback revision;
    private final GaugeWithCallback configRevision;
    private final GaugeWithCallback sinceEvent;

    EtcdMetrics(EtcdSource source) {
        revision = GaugeWithCallback.builder()
                .name("switchboard_etcd_revision")
                .help("The etcd revision this instance has applied")
                .callback(cb -> cb.call(source.revision()))
                .build();
        configRevision = GaugeWithCallback.builder()
                .name("switchboard_etcd_config_revision")
                .help("The revision of the last manifest change this instance has applied (what fleet list compares)")
                .callback(cb -> cb.call(source.configRevision()))
                .build();
        sinceEvent = GaugeWithCallback.builder()
                .name("switchboard_etcd_seconds_since_last_event")
                .help("Seconds since the last etcd event or list was applied (-1 before the first)")
                .callback(cb -> {
                    long at = source.lastEventNanos();
                    cb.call(at == 0 ? -1 : (System.nanoTime() - at) / 1e9);
                })
                .build();
    }

    void event(String type) {
        events.labelValues(type).inc();
    }

    void reconnected() {
        reconnects.inc();
    }

    void listed() {
        lists.inc();
    }

    void relisted() {
        relists.inc();
    }

    /** Every metric, to register with the admin server's registry. */
    public List<Collector> collectors() {
        return List.of(events, reconnects, lists, relists, revision, configRevision, sinceEvent);
    }
}
