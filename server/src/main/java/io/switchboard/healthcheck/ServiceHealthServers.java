package io.switchboard.healthcheck;

import io.switchboard.httpserver.SmallHttpServers;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.model.NodeInfo;
import io.switchboard.model.ServiceId;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.routing.Backend;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.ServiceRoutes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health-check node ports of {@code externalTrafficPolicy: Local} Services: on each Service's
 * {@code spec.healthCheckNodePort}, any path answers 200 while this node has ready local endpoints
 * and the proxy is healthy, 503 otherwise, so an external load balancer sends only to nodes that can
 * serve without a second hop. Terminating endpoints are not counted: a node whose pods are all
 * terminating fails the check and is drained. Reconciled at every sync: ports open and close as
 * Services come and go.
 */
public final class ServiceHealthServers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceHealthServers.class);

    private final List<InetAddress> addresses;
    private final ProxyHealth health;
    private final ExecutorService executor = SmallHttpServers.executor("switchboard-health-check");
    /** Sync thread only. */
    private final Map<Integer, Listener> listeners = new HashMap<>();
    /** Sync thread only: ports that could not be opened, so their error is logged once. */
    private final Set<Integer> failing = new HashSet<>();
    /**
     * Sync thread only: the Services of the last table with a health-check node port and a Local
     * traffic policy, in name order (the first of two claiming one port gets it).
     */
    private final Map<ServiceId, ServiceRoutes> checked = new TreeMap<>();
    /** Ready local endpoints by Service, read by the server thread. */
    private final Map<ServiceId, Integer> localEndpoints = new ConcurrentHashMap<>();

    private record Listener(ServiceId service, List<HttpServer> servers) {
    }

    /** Set by {@link #close()}: ports are not opened again (a successor has them, or the proxy stops). */
    private boolean closed;
    /** What the last sync reconciled, so a sync that changed nothing costs nothing. */
    private RoutingTable lastTable;
    private NodeInfo lastNode;
    private boolean lastComplete;

    /** Health servers on {@code addresses} (the node-port addresses), reporting {@code health}. */
    public ServiceHealthServers(List<InetAddress> addresses, ProxyHealth health) {
        this.addresses = List.copyOf(addresses);
        this.health = Objects.requireNonNull(health, "health");
    }

    /**
     * Opens, keeps or closes ports to match {@code table}; counts local endpoints on {@code node}.
     * {@code changed} are the only Services that differ from the table of the previous call (null
     * when that is not known): then only they are looked at, so adding one Service to 50,000 does not
     * walk the other 49,999 (a walk was half of that sync's time). Any other table is walked whole.
     */
    public synchronized void sync(RoutingTable table, Set<ServiceId> changed, NodeInfo node) {
        if (closed) {
            return;
        }
        // Tables are immutable and endpoint conditions change only with a new table, so the same table
        // on the same node gives the same ports and counts: most syncs (one a second, idle) change
        // nothing, and walking 50,000 Services each time allocated ~100 MB/s of iterators, which kept
        // young collections going and so the idle heap from ever shrinking. A port that failed to
        // open is tried again at every sync.
        if (table == lastTable && node.equals(lastNode) && lastComplete) {
            return;
        }
        if (table != lastTable) {
            boolean next = changed != null && lastTable != null && table.version() == lastTable.version() + 1;
            if (next) {
                for (ServiceId id : changed) {
                    ServiceRoutes routes = table.services().get(id);
                    if (servesACheck(routes)) {
                        checked.put(id, routes);
                    } else {
                        checked.remove(id);
                    }
                }
            } else {
                checked.clear();
                for (ServiceRoutes routes : table.services().values()) {
                    if (servesACheck(routes)) {
                        checked.put(routes.service().id(), routes);
                    }
                }
            }
        }
        Map<Integer, ServiceId> wanted = new HashMap<>();
        for (ServiceRoutes routes : checked.values()) {
            var svc = routes.service();
            wanted.putIfAbsent(svc.healthCheckNodePort(), svc.id());
            Set<InetAddress> ready = new HashSet<>();
            for (Backend b : routes.allBackends()) {
                if (b.conditions().ready() && node.name().equals(b.nodeName())) {
                    ready.add(b.socketAddress().getAddress());
                }
            }
            localEndpoints.put(svc.id(), ready.size());
        }
        localEndpoints.keySet().retainAll(checked.keySet());
        listeners.entrySet().removeIf(e -> {
            if (!e.getValue().service().equals(wanted.get(e.getKey()))) {
                e.getValue().servers().forEach(s -> s.stop(0));
                return true;
            }
            return false;
        });
        wanted.forEach((port, id) -> {
            if (!listeners.containsKey(port)) {
                open(port, id);
            }
        });
        lastTable = table;
        lastNode = node;
        lastComplete = failing.isEmpty();
    }

    private static boolean servesACheck(ServiceRoutes routes) {
        return routes != null && routes.service().healthCheckNodePort() > 0
                && routes.service().externalTrafficPolicy() == TrafficPolicy.LOCAL;
    }

    /** Opens the port on every address, or on none (and tries again at the next sync). */
    private void open(int port, ServiceId id) {
        List<HttpServer> servers = new java.util.ArrayList<>();
        boolean all = true;
        for (InetAddress a : addresses) {
            try {
                HttpServer s = SmallHttpServers.create(new InetSocketAddress(a, port));
                s.setExecutor(executor);
                s.createContext("/", ex -> {
                    try (ex) {
                        int n = localEndpoints.getOrDefault(id, 0);
                        boolean healthy = health.view().healthy();
                        Map<String, Object> service = new LinkedHashMap<>();
                        service.put("namespace", id.namespace());
                        service.put("name", id.name());
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("service", service);
                        body.put("localEndpoints", n);
                        body.put("serviceProxyHealthy", healthy);
                        ProxyHealthServer.send(ex, n > 0 && healthy ? 200 : 503,
                                ProxyHealthServer.JSON.writeValueAsBytes(body), Integer.toString(n));
                    }
                });
                s.start();
                servers.add(s);
            } catch (IOException e) {
                all = false;
                // Said once per port, not at every sync while it stays taken.
                if (failing.add(port)) {
                    LOG.atError().addKeyValue("service", id).addKeyValue("address", a.getHostAddress())
                            .addKeyValue("port", port).addKeyValue("cause", e.toString())
                            .log("cannot open the health-check node port; retried at every sync");
                }
                break;
            }
        }
        if (!all) {
            servers.forEach(s -> s.stop(0));
            return;
        }
        failing.remove(port);
        listeners.put(port, new Listener(id, servers));
        LOG.atInfo().addKeyValue("service", id).addKeyValue("port", port).log("health-check node port open");
    }

    @Override
    public synchronized void close() {
        closed = true;
        listeners.values().forEach(l -> l.servers().forEach(s -> s.stop(0)));
        listeners.clear();
        executor.shutdownNow();
    }
}
