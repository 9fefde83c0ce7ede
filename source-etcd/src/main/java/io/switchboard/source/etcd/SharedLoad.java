package io.switchboard.source.etcd;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.switchboard.model.HostPort;
import io.switchboard.model.ServicePortName;
import io.switchboard.routing.Backend;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.ServiceRoutes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the per-endpoint load of Services annotated {@code switchboard.io/shared-load: "true"}
 * across a fleet, so that the connection-count schedulers weigh every instance's connections.
 *
 * <p>Publishing: every interval this instance writes, in one etcd transaction, one key per shared
 * Service port whose counts changed ({@code PREFIX fleet/load/MEMBER/NS/NAME/PORT/PROTOCOL}, a JSON
 * map of endpoint to its active connections, or requests in flight on an HTTP port), bound to its
 * fleet lease, and deletes the keys of ports no longer shared. So etcd sees at most one transaction
 * per instance per interval, with writes bounded by instances times shared Service ports, whatever
 * the connection rate. A dead instance's keys go with its lease.
 *
 * <p>Receiving: the etcd source's watch already carries every member's keys; each endpoint's remote
 * count is the sum over the other members, set on its {@link Backend}. While etcd is unreachable
 * (the watch is down, or publishing has failed for longer than the lease TTL) the remote counts are
 * cleared and balancing uses local counts only, which {@code switchboard_shared_load_connected} says.
 */
public final class SharedLoad implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedLoad.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Integer>> COUNTS = new TypeReference<>() { };

    private final EtcdSettings settings;
    private final FleetMember member;
    private final EtcdSource source;
    private final Supplier<RoutingTable> table;
    private final long intervalMillis;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchboard-shared-load");
        t.setDaemon(true);
        return t;
    });
    /** Remote counts: service port key, then member, then endpoint to count. Guarded by this. */
    private final Map<String, Map<String, Map<String, Integer>>> remote = new HashMap<>();
    /** What this instance last published, by key under the prefix. Publisher thread only. */
    private final Map<String, String> published = new HashMap<>();
    private final Counter transactions = Counter.builder().name("switchboard_shared_load_transactions")
            .help("etcd transactions publishing this instance's shared load (one per interval at most)").build();
    private final Counter writes = Counter.builder().name("switchboard_shared_load_writes")
            .help("Keys written or deleted by those transactions (changed counts only)").build();
    private final Counter failures = Counter.builder().name("switchboard_shared_load_publish_failures")
            .help("Publishing transactions that failed (etcd unreachable or the lease gone)").build();
    private final GaugeWithCallback connected;
    private Client client;
    private volatile long lastPublishNanos = System.nanoTime();
    private volatile boolean cleared;
    private String lastFailure;

    /** Shared load for {@code member}, read from {@code table} every {@code intervalMillis}. */
    public SharedLoad(EtcdSettings settings, FleetMember member, EtcdSource source, Supplier<RoutingTable> table,
                      long intervalMillis) {
        this.settings = settings;
        this.member = member;
        this.source = source;
        this.table = table;
        this.intervalMillis = intervalMillis;
        this.connected = GaugeWithCallback.builder().name("switchboard_shared_load_connected")
                .help("1 while remote load from the fleet is used; 0 while etcd is unreachable and only this"
                        + " instance's counts are balanced on")
                .callback(cb -> cb.call(usable() ? 1 : 0)).build();
        source.fleetListener(new Listener());
    }

    /** This component's metrics. */
    public List<Collector> collectors() {
        return List.of(transactions, writes, failures, connected);
    }

    /** Starts publishing. */
    public void start() {
        client = settings.client();
        executor.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** The key of a Service port under a member. */
    static String portKey(ServicePortName spn) {
        return spn.service().namespace() + "/" + spn.service().name() + "/"
                + (spn.port().isEmpty() ? "-" : spn.port()) + "/" + spn.protocol();
    }

    private boolean usable() {
        return !source.status().degraded()
                && System.nanoTime() - lastPublishNanos < TimeUnit.SECONDS.toNanos(settings.fleetTtl());
    }

    private void tick() {
        try {
            publish();
        } catch (RuntimeException e) {
            LOG.atError().setCause(e).log("shared load: publishing failed unexpectedly; retried next interval");
        }
        if (!usable()) {
            if (!cleared) {
                LOG.atWarn().log("shared load: etcd unreachable; balancing on this instance's counts only");
                cleared = true;
            }
            applyAll();
        } else if (cleared) {
            cleared = false;
            LOG.atInfo().log("shared load: fleet counts in use again");
            applyAll();
        }
    }

    /** One transaction with what changed since the last one. */
    private void publish() {
        if (!member.started() || member.lease() == 0) {
            return;
        }
        String base = settings.prefix() + EtcdSettings.LOAD + member.id() + "/";
        Map<String, String> now = new HashMap<>();
        for (ServiceRoutes routes : table.get().services().values()) {
            if (!routes.service().options().sharedLoad()) {
                continue;
            }
            Map<ServicePortName, Map<String, Integer>> byPort = new HashMap<>();
            for (Backend b : routes.allBackends()) {
                byPort.computeIfAbsent(b.servicePort(), k -> new TreeMap<>())
                        .put(endpoint(b), b.localActiveConnections());
            }
            byPort.forEach((spn, counts) -> {
                try {
                    now.put(base + portKey(spn), JSON.writeValueAsString(counts));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("counts of " + spn, e);
                }
            });
        }
        List<Op> ops = new ArrayList<>();
        PutOption withLease = PutOption.builder().withLeaseId(member.lease()).build();
        now.forEach((k, v) -> {
            if (!v.equals(published.get(k))) {
                ops.add(Op.put(bytes(k), bytes(v), withLease));
            }
        });
        for (String k : published.keySet()) {
            if (!now.containsKey(k)) {
                ops.add(Op.delete(bytes(k), DeleteOption.DEFAULT));
            }
        }
        if (ops.isEmpty()) {
            lastPublishNanos = System.nanoTime();
            return;
        }
        try {
            client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(Math.max(1000, intervalMillis * 2),
                    TimeUnit.MILLISECONDS);
            published.clear();
            published.putAll(now);
            transactions.inc();
            writes.inc(ops.size());
            lastPublishNanos = System.nanoTime();
            lastFailure = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failures.inc();
            // Written again in full once etcd answers: the lease may have changed.
            published.clear();
            String cause = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            if (!String.valueOf(cause).equals(lastFailure)) {
                LOG.atWarn().addKeyValue("cause", cause).log("shared load: cannot publish; retried every interval");
                lastFailure = String.valueOf(cause);
            }
        }
    }

    private static String endpoint(Backend b) {
        return HostPort.of(b.socketAddress());
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Sets every shared endpoint's remote count from what the fleet published (0 while unusable). */
    public synchronized void applyAll() {
        boolean use = usable();
        for (ServiceRoutes routes : table.get().services().values()) {
            if (!routes.service().options().sharedLoad()) {
                continue;
            }
            for (Backend b : routes.allBackends()) {
                b.remoteActiveConnections(use ? sum(portKey(b.servicePort()), endpoint(b)) : 0);
            }
        }
    }

    /** Sets the remote counts of one Service port's endpoints (after a member's key changed). */
    private synchronized void applyPort(String portKey) {
        String[] parts = portKey.split("/", 3);
        if (parts.length < 3) {
            return;
        }
        ServiceRoutes routes = table.get().services().get(new io.switchboard.model.ServiceId(parts[0], parts[1]));
        if (routes == null || !routes.service().options().sharedLoad()) {
            return;
        }
        boolean use = usable();
        for (Backend b : routes.allBackends()) {
            if (portKey(b.servicePort()).equals(portKey)) {
                b.remoteActiveConnections(use ? sum(portKey, endpoint(b)) : 0);
            }
        }
    }

    private int sum(String portKey, String endpoint) {
        Map<String, Map<String, Integer>> members = remote.get(portKey);
        if (members == null) {
            return 0;
        }
        int total = 0;
        for (Map<String, Integer> counts : members.values()) {
            total += counts.getOrDefault(endpoint, 0);
        }
        return total;
    }

    /** Splits {@code PREFIX fleet/load/MEMBER/PORTKEY} into member and port key, or null for other keys. */
    private String[] parse(String key) {
        String base = settings.prefix() + EtcdSettings.LOAD;
        if (!key.startsWith(base)) {
            return null;
        }
        String rest = key.substring(base.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? null : new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    private synchronized void record(String key, String value) {
        String[] p = parse(key);
        if (p == null || (member.started() && p[0].equals(member.id()))) {
            return;
        }
        try {
            Map<String, Integer> counts = JSON.readValue(value, COUNTS);
            remote.computeIfAbsent(p[1], k -> new HashMap<>()).put(p[0], counts);
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("key", key).addKeyValue("cause", e.getMessage())
                    .log("shared load: a member's counts do not parse; ignored");
        }
    }

    private synchronized void remove(String key) {
        String[] p = parse(key);
        if (p == null) {
            return;
        }
        Map<String, Map<String, Integer>> members = remote.get(p[1]);
        if (members != null) {
            members.remove(p[0]);
            if (members.isEmpty()) {
                remote.remove(p[1]);
            }
        }
    }

    private final class Listener implements EtcdSource.FleetListener {
        @Override
        public void put(String key, String value) {
            String[] p = parse(key);
            if (p != null) {
                record(key, value);
                applyPort(p[1]);
            }
        }

        @Override
        public void deleted(String key) {
            String[] p = parse(key);
            if (p != null) {
                remove(key);
                applyPort(p[1]);
            }
        }

        @Override
        public void listed(Map<String, String> all) {
            synchronized (SharedLoad.this) {
                remote.clear();
                all.forEach(SharedLoad.this::record);
            }
            applyAll();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        if (client != null) {
            client.close();
        }
    }
}
