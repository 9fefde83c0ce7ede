package io.switchboard.source.kubernetes;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import java.time.Duration;
import java.util.List;

/**
 * The Kubernetes source's metrics: events recorded, watch errors, whether each informer is watching,
 * and the network programming latency (from an EndpointSlice's change-trigger time to the moment the
 * sync applied it, as kube-proxy's {@code network_programming_duration_seconds}).
 */
public final class KubernetesMetrics {

    private final Counter events = Counter.builder()
            .name("switchboard_kubernetes_events")
            .help("Informer events recorded into the object store, by resource and type")
            .labelNames("resource", "type")
            .build();
    private final Counter watchErrors = Counter.builder()
            .name("switchboard_kubernetes_watch_errors")
            .help("Failed list or watch requests to the Kubernetes API (each is retried)")
            .labelNames("resource")
            .build();
    private final Counter badTriggerTimes = Counter.builder()
            .name("switchboard_kubernetes_bad_trigger_times")
            .help("EndpointSlices whose last-change-trigger-time annotation could not be parsed")
            .build();
    private final Histogram programming = Histogram.builder()
            .name("switchboard_network_programming_duration_seconds")
            .help("From an EndpointSlice's endpoints.kubernetes.io/last-change-trigger-time to the sync that applied it")
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)
            .build();
    private final GaugeWithCallback watching;

    KubernetesMetrics(KubernetesSource source) {
        watching = GaugeWithCallback.builder()
                .name("switchboard_kubernetes_watching")
                .help("1 while an informer has listed and its watch is open, 0 while it is (re)connecting")
                .labelNames("resource")
                .callback(cb -> {
                    for (KubernetesSource.Watched<?> w : source.watched()) {
                        boolean ok = w.listed() && w.watching();
                        cb.call(ok ? 1 : 0, w.label());
                    }
                })
                .build();
    }

    void event(String resource, String type) {
        events.labelValues(resource, type).inc();
    }

    void watchError(String resource) {
        watchErrors.labelValues(resource).inc();
    }

    void badTriggerTime() {
        badTriggerTimes.inc();
    }

    void programmed(Duration d) {
        programming.observe(Math.max(0, d.toNanos()) / 1e9);
    }

    /** Every metric, to register with the admin server's registry. */
    public List<Collector> collectors() {
        return List.of(events, watchErrors, badTriggerTimes, programming, watching);
    }
}
