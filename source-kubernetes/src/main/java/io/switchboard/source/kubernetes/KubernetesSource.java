package io.switchboard.source.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.store.ObjectStore;
import io.switchboard.store.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live Kubernetes API as a source: fabric8 shared informers on Services, EndpointSlices and this
 * node's Node object. Like kube-proxy, it asks the API server to leave out headless Services and
 * their slices ({@code service.kubernetes.io/headless}); the {@code service-proxy-name} label is
 * checked on arrival, because a server-side selector cannot say "absent or ours".
 *
 * <p>Informer events only record into the {@link ObjectStore} and ask for a sync, so a burst of 1,000
 * endpoint changes costs one sync. A dropped watch is re-established by the informer; after a
 * relist it reports only what really changed, and objects that did not change keep serving. While
 * the API server is unreachable the last known state keeps serving and {@link #status()} says so.
 *
 * <p>RBAC it needs: {@code list} and {@code watch} on {@code services} and {@code nodes} (core) and on
 * {@code endpointslices} ({@code discovery.k8s.io}); the Node is watched by a field selector on its
 * name, so no {@code get}. {@code deploy/kubernetes/switchboard.yaml} grants exactly that.
 */
public final class KubernetesSource implements Source {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);
    /** The label kube-proxy leaves out: Services (and their slices) with no cluster IP. */
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    /**
     * What to watch.
     *
     * @param namespaces the namespaces to watch; empty for all
     * @param nodeName   this node's name
     * @param resync     how often informers replay their cache (0 for never); replays of unchanged
     *                   objects cost a comparison, not a sync
     */
    public record Settings(List<String> namespaces, String nodeName, Duration resync) {
        public Settings {
            namespaces = List.copyOf(namespaces);
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(resync, "resync");
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final ApiRecorder recorder;
    private final KubernetesMetrics metrics;
    /** Written in start(), read by metrics and status from other threads. */
    private final List<Watched<?>> watched = new java.util.concurrent.CopyOnWriteArrayList<>();
    private SharedIndexInformer<Node> node;
    private volatile boolean ready;

    /**
     * An informer, the resource it watches, and whether its handler has seen a whole list: fabric8
     * calls {@code onList} on the handler's own thread after the list's events, so once this is set
     * every listed object has been recorded.
     */
    static final class Watched<T extends HasMetadata> {
        private final String resource;
        private final String namespace;
        private final SharedIndexInformer<T> informer;
        private volatile boolean listed;

        Watched(String resource, String namespace, SharedIndexInformer<T> informer) {
            this.resource = resource;
            this.namespace = namespace;
            this.informer = informer;
        }

        String label() {
            return namespace == null ? resource : resource + " in " + namespace;
        }

        SharedIndexInformer<T> informer() {
            return informer;
        }

        boolean listed() {
            return listed;
        }

        /** Whether its watch is open; false once stopped (fabric8 throws then). */
        boolean watching() {
            try {
                return informer.isRunning() && informer.isWatching();
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    /** A source over {@code client}, recording into {@code store}; the caller closes the client. */
    public KubernetesSource(KubernetesClient client, Settings settings, ResourceMapper mapper, ObjectStore store) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = new KubernetesMetrics(this);
        this.recorder = new ApiRecorder(mapper, store, metrics);
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    /** Its metrics, to register with the admin server. */
    public KubernetesMetrics metrics() {
        return metrics;
    }

    @Override
    public void start(Runnable onChange) {
        long resync = settings.resync().toMillis();
        List<String> namespaces = settings.namespaces().isEmpty() ? java.util.Collections.singletonList(null)
                : settings.namespaces();
        for (String ns : namespaces) {
            watch("services", ns, resync, onChange, n -> n == null
                    ? client.services().inAnyNamespace().withoutLabel(HEADLESS_LABEL)
                    : client.services().inNamespace(n).withoutLabel(HEADLESS_LABEL));
            watch("endpointslices", ns, resync, onChange, n -> n == null
                    ? client.discovery().v1().endpointSlices().inAnyNamespace().withoutLabel(HEADLESS_LABEL)
                    : client.discovery().v1().endpointSlices().inNamespace(n).withoutLabel(HEADLESS_LABEL));
        }
        node = client.nodes().withName(settings.nodeName()).runnableInformer(0);
        Watched<Node> nodeWatch = new Watched<>("nodes", null, node);
        node.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onList(String resourceVersion, boolean remainedEmpty) {
                if (node.getStore().list().isEmpty()) {
                    recorder.nodeGone(settings.nodeName());
                }
                nodeWatch.listed = true;
                onChange.run();
            }

            @Override
            public void onAdd(Node obj) {
                recorder.node(obj, settings.nodeName());
                onChange.run();
            }

            @Override
            public void onUpdate(Node oldObj, Node newObj) {
                recorder.node(newObj, settings.nodeName());
                onChange.run();
            }

            @Override
            public void onDelete(Node obj, boolean deletedFinalStateUnknown) {
                recorder.nodeGone(settings.nodeName());
                onChange.run();
            }
        });
        node.exceptionHandler((started, t) -> retry("nodes", t));
        watched.add(nodeWatch);
        for (Watched<?> w : watched) {
            w.informer().start().whenComplete((v, t) -> {
                if (t != null) {
                    LOG.atWarn().addKeyValue("resource", w.label()).addKeyValue("cause", t.toString())
                            .log("informer stopped");
                }
                onChange.run();
            });
        }
        LOG.atInfo().addKeyValue("namespaces", settings.namespaces().isEmpty() ? "all" : settings.namespaces())
                .addKeyValue("node", settings.nodeName()).addKeyValue("master", client.getMasterUrl())
                .log("watching the Kubernetes API");
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> void watch(String resource, String ns, long resync, Runnable onChange,
                                               Function<String, FilterWatchListDeletable<T, ?, ?>> op) {
        SharedIndexInformer<T> informer = op.apply(ns).runnableInformer(resync);
        Watched<T> w = new Watched<>(resource, ns, informer);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onList(String resourceVersion, boolean remainedEmpty) {
                w.listed = true;
                onChange.run();
            }

            @Override
            public void onAdd(T obj) {
                recorder.record(resource, obj);
                onChange.run();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (recorder.record(resource, newObj)) {
                    onChange.run();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                recorder.remove(resource, obj);
                onChange.run();
            }
        });
        informer.exceptionHandler((started, t) -> retry(resource, t));
        watched.add(w);
    }

    /** Keeps an informer trying through API errors (the API server restarting, a network cut): log and retry. */
    private boolean retry(String resource, Throwable t) {
        metrics.watchError(resource);
        LOG.atWarn().addKeyValue("resource", resource).addKeyValue("cause", t.toString())
                .log("Kubernetes API request failed; retrying, the last known state keeps serving");
        return true;
    }

    /** Readiness follows the handlers, not the caches: ready once every handler has seen its first list. */
    @Override
    public void beforeSync() {
        if (!ready && !watched.isEmpty() && watched.stream().allMatch(Watched::listed)) {
            ready = true;
            LOG.atInfo().addKeyValue("objects", recorder.recorded()).log("Kubernetes API listed in full");
        }
        recorder.beforeSync();
    }

    @Override
    public void synced() {
        recorder.synced();
    }

    @Override
    public Status status() {
        List<String> notWatching = new ArrayList<>();
        List<String> notListed = new ArrayList<>();
        for (Watched<?> w : watched) {
            if (!w.listed()) {
                notListed.add(w.label());
            } else if (!w.watching()) {
                notWatching.add(w.label());
            }
        }
        String detail;
        if (!notListed.isEmpty()) {
            detail = "waiting for the first list of " + String.join(", ", notListed) + " from " + client.getMasterUrl();
        } else if (!notWatching.isEmpty()) {
            detail = "not watching " + String.join(", ", notWatching) + " (reconnecting to " + client.getMasterUrl()
                    + "); serving the last known state";
        } else {
            detail = "watching " + client.getMasterUrl();
        }
        return new Status(ready, ready && !notWatching.isEmpty(), detail);
    }

    /** The informers, for metrics. */
    List<Watched<?>> watched() {
        return watched;
    }

    @Override
    public void close() {
        for (Watched<?> w : watched) {
            w.informer().stop();
        }
    }
}
