package io.switchboard.health;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.dataplane.Transport;
import io.switchboard.model.HealthCheck;
import io.switchboard.model.ServiceId;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.ServiceRoutes;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs active TCP health checks for Services that enable them: every interval a connect to each
 * endpoint, closed at once with a reset so checks leave no TIME_WAIT behind; the verdict of
 * {@link HealthState} marks the {@link Backend} up or down. Reconciled against each new routing
 * table by the sync loop; probes run on the event loops.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final EventLoopGroup group;
    private final Transport transport;
    /** Probes by Service; touched by the sync loop only. */
    private final Map<ServiceId, Map<Backend, Probe>> probes = new HashMap<>();

    /** A checker running probes on {@code group}. */
    public HealthChecker(EventLoopGroup group, Transport transport) {
        this.group = Objects.requireNonNull(group, "group");
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /**
     * Starts probes for newly checked endpoints of the changed Services and stops those no longer
     * wanted; other Services' probes are left alone, so a sync costs what changed.
     */
    public void reconcile(RoutingTable table, Set<ServiceId> changed) {
        for (ServiceId id : changed) {
            ServiceRoutes routes = table.services().get(id);
            Map<Backend, Probe> current = probes.getOrDefault(id, Map.of());
            if (current.isEmpty() && !checked(routes)) {
                // Nearly every Service: no check wanted, none running (the first sync of 50,000
                // Services spent 6 % of its time making empty maps here).
                continue;
            }
            Map<Backend, HealthCheck> wanted = new IdentityHashMap<>();
            if (routes != null) {
                for (BackendPool pool : routes.pools()) {
                    pool.options().healthCheck().ifPresent(check -> {
                        for (Backend b : routes.allBackends()) {
                            if (b.servicePort().equals(pool.id().servicePort())) {
                                wanted.put(b, check);
                            }
                        }
                    });
                }
            }
            Map<Backend, Probe> next = new IdentityHashMap<>();
            current.forEach((backend, probe) -> {
                HealthCheck check = wanted.get(backend);
                if (check != null && check.equals(probe.check)) {
                    next.put(backend, probe);
                } else {
                    probe.stop();
                    if (check == null) {
                        backend.setCheckedHealthy(true);
                    }
                }
            });
            wanted.forEach((backend, check) -> next.computeIfAbsent(backend, b -> new Probe(b, check, group.next())));
            if (next.isEmpty()) {
                probes.remove(id);
            } else {
                probes.put(id, next);
            }
        }
    }

    private static boolean checked(ServiceRoutes routes) {
        if (routes != null) {
            for (BackendPool pool : routes.pools()) {
                if (pool.options().healthCheck().isPresent()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** How many endpoints are being checked. */
    public int probeCount() {
        return probes.values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public void close() {
        probes.values().forEach(m -> m.values().forEach(Probe::stop));
        probes.clear();
    }

    /** The checks of one endpoint; its state lives on its event loop. */
    private final class Probe {
        final Backend backend;
        final HealthCheck check;
        final EventLoop loop;
        final HealthState state;
        final ScheduledFuture<?> task;
        volatile boolean stopped;

        Probe(Backend backend, HealthCheck check, EventLoop loop) {
            this.backend = backend;
            this.check = check;
            this.loop = loop;
            this.state = new HealthState(check.rise(), check.fall());
            long interval = check.interval().toMillis();
            this.task = loop.scheduleWithFixedDelay(this::probe, 0, interval, TimeUnit.MILLISECONDS);
        }

        void probe() {
            if (stopped) {
                return;
            }
            ConnectProbe.connect(loop, transport, backend.socketAddress(), check.timeout(),
                    cause -> record(cause == null, cause));
        }

        void record(boolean success, Throwable cause) {
            if (stopped) {
                return;
            }
            if (success && backend.seenWorking()) {
                // Failed connects held it down for a back-off; a check that connects ends that at once.
                LOG.atInfo().addKeyValue("endpoint", backend)
                        .log("endpoint held down by failures passed a health check; back in rotation");
            }
            if (!state.record(success)) {
                return;
            }
            backend.setCheckedHealthy(state.up());
            var event = state.up() ? LOG.atInfo() : LOG.atWarn();
            event.addKeyValue("endpoint", backend).addKeyValue("state", state.up() ? "up" : "down");
            if (cause != null) {
                event = event.addKeyValue("cause", cause.getMessage());
            }
            event.log("health check changed endpoint state");
        }

        void stop() {
            stopped = true;
            task.cancel(false);
        }
    }

    /** For tests: counts of probes by whether their endpoint is up. */
    Map<Boolean, Integer> verdicts() {
        Map<Boolean, Integer> out = new HashMap<>();
        probes.values().forEach(m -> m.values().forEach(p -> out.merge(p.state.up(), 1, Integer::sum)));
        return out;
    }
}
