package io.switchboard.admin;

import io.switchboard.dataplane.ListenerManager;
import io.switchboard.model.HostPort;
import io.switchboard.store.ValidationError;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.RequestStats;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.ServiceRoutes;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.routing.VirtualService;
import io.switchboard.scheduler.SchedulerFlag;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The routing table as the admin API and {@code switchboard list} show it: one entry per served
 * address with its scheduler, affinity and endpoints (weights, connection counts, health).
 */
public final class RoutingView {

    /**
     * One endpoint of a route; the request counts are those of HTTP (L7) ports. {@code weight} is the
     * weight in effect (0 when an operator drained it), {@code configuredWeight} the configuration's;
     * {@code errors} counts 5xx answers and requests that got no answer; {@code latencyBuckets} are
     * per-bucket (not cumulative) counts over {@link TableView#latencyBounds()} and one more above;
     * {@code p50}/{@code p99} estimate quantiles in seconds over the endpoint's lifetime (null without
     * requests); {@code flows} are the open UDP flows.
     */
    public record EndpointView(String address, int weight, int active, int inactive, long connections,
                               long bytesToEndpoint, long bytesFromEndpoint, long connectFailures,
                               int requestsInFlight, long requests, String state, String pod, String node,
                               int remoteActive, int configuredWeight, boolean drained,
                               java.util.Map<String, Long> requestsByClass, long errors, long[] latencyBuckets,
                               Double p50, Double p99, long datagramsToEndpoint, long datagramsFromEndpoint,
                               int flows) {
    }

    /** One served address. */
    public record RouteView(String address, String protocol, String kind, String service, String port,
                            String appProtocol, String scheduler, List<String> flags, boolean clientIpAffinity,
                            long affinityTimeoutSeconds, boolean terminatingFallback, long connections,
                            long rejected, long retries, String sourceRanges, long sourceDenied,
                            List<EndpointView> endpoints, String namespace, String name, boolean http,
                            long requests, long errors, java.util.Map<String, Long> requestsByClass,
                            int requestsInFlight, long bytesToEndpoints, long bytesFromEndpoints,
                            long[] latencyBuckets, Double p50, Double p99, long datagramsToEndpoints,
                            long datagramsFromEndpoints, long datagramsDropped, long connectFailures) {
    }

    /** A listening socket. */
    public record ListenerView(String address, boolean wildcard, int sockets, String error) {
    }

    /**
     * A Service refused an address another serves: the address, who holds it and why, and the refused
     * Service's field and origin.
     */
    public record ConflictView(String address, String holder, String refused, String field, String origin,
                               String rule) {
    }

    /** Everything; {@code latencyBounds} are the upper bounds, in seconds, of the latency buckets. */
    public record TableView(long version, List<RouteView> routes, List<ListenerView> listeners, List<String> errors,
                            List<String> notes, List<ConflictView> conflicts, long unrouted, long syncs,
                            double[] latencyBounds) {
    }

    private RoutingView() {
    }

    /** The view of a running instance. */
    public static TableView of(ProxyState sb) {
        RoutingTable table = sb.table();
        List<RouteView> routes = new ArrayList<>();
        for (VirtualService vs : new TreeMap<>(table.virtualServices()).values()) {
            routes.add(route(vs, table.services().get(vs.service().id())));
        }
        List<ListenerView> listeners = new ArrayList<>();
        for (ListenerManager.ListenerStatus l : sb.dataPlane().listeners()) {
            listeners.add(new ListenerView(l.key().toString(), l.wildcard(), l.sockets(), l.error()));
        }
        SyncStatus status = sb.status();
        return new TableView(table.version(), routes, listeners,
                status.errors().stream().map(ValidationError::toString).toList(), status.notes(),
                status.conflicts().stream().map(c -> new ConflictView(c.address(), c.holder().toString(),
                        c.refused().toString(), c.field(), c.origin().toString(), c.rule())).toList(),
                sb.dataPlane().state().stats().unroutedCount(), status.syncs(), RequestStats.BUCKETS.clone());
    }

    private static boolean sameFamily(Backend b, VirtualService vs) {
        return (b.socketAddress().getAddress() instanceof Inet6Address) == (vs.address().address() instanceof Inet6Address);
    }

    /**
     * The endpoints of one Service port: the current ones, then those removed while connections to
     * them were open (until those end), unless the same address is back among the current ones.
     */
    static List<Backend> endpointsOf(ServiceRoutes routes, io.switchboard.model.ServicePortName spn,
                                     io.switchboard.routing.ServicePortStats stats) {
        List<Backend> out = new ArrayList<>();
        java.util.Set<InetSocketAddress> current = new java.util.HashSet<>();
        for (Backend b : routes.allBackends()) {
            if (b.servicePort().equals(spn)) {
                out.add(b);
                current.add(b.socketAddress());
            }
        }
        for (Backend b : stats.retained()) {
            if (!current.contains(b.socketAddress())) {
                out.add(b);
            }
        }
        return out;
    }

    private static RouteView route(VirtualService vs, ServiceRoutes routes) {
        BackendPool pool = vs.pool();
        List<EndpointView> endpoints = new ArrayList<>();
        for (Backend b : pool.backends()) {
            endpoints.add(endpoint(b, state(b)));
        }
        java.util.Set<InetSocketAddress> listed = new java.util.HashSet<>();
        pool.backends().forEach(b -> listed.add(b.socketAddress()));
        if (routes != null) {
            routes.allBackends().forEach(b -> listed.add(b.socketAddress()));
        }
        for (Backend b : pool.stats().retained()) {
            if (!listed.contains(b.socketAddress()) && sameFamily(b, vs)) {
                endpoints.add(endpoint(b, "removed"));
            }
        }
        if (routes != null) {
            // Endpoints of the other address family belong to that family's pool, unless this one bridges families.
            boolean bridged = pool.backends().stream().anyMatch(x -> !sameFamily(x, vs));
            for (Backend b : routes.allBackends()) {
                if (b.servicePort().equals(pool.id().servicePort()) && !pool.contains(b)
                        && (bridged || sameFamily(b, vs))) {
                    endpoints.add(endpoint(b, outOfPool(b)));
                }
            }
        }
        VirtualAddress a = vs.address();
        boolean http = vs.port().balancesRequests();
        RequestStats r = pool.stats().requests();
        var ps = pool.stats();
        boolean udp = a.protocol() == io.switchboard.model.Protocol.UDP;
        return new RouteView(HostPort.of(a.address(), a.port()), a.protocol().name(),
                vs.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'), vs.service().id().toString(),
                vs.port().name(), vs.port().appProtocol(), pool.options().scheduler().id(),
                pool.options().schedulerFlags().stream().map(SchedulerFlag::id).sorted().toList(),
                pool.affinity().clientIp(), pool.affinity().timeout().toSeconds(), pool.terminatingFallback(),
                pool.stats().connectionCount(), pool.stats().rejectedCount(), pool.stats().retryCount(),
                vs.sources().toString(), vs.kind() == io.switchboard.routing.AddressKind.LOAD_BALANCER_IP
                        ? pool.stats().sourceDeniedCount() : 0, endpoints, vs.service().id().namespace(),
                vs.service().id().name(), http, r.total(), errors(r), byClass(r), r.inFlight(),
                ps.bytesToEndpoints(), ps.bytesFromEndpoints(), r.buckets(), quantile(r, 0.5), quantile(r, 0.99),
                udp ? ps.datagramsToEndpoints() : 0, udp ? ps.datagramsFromEndpoints() : 0,
                udp ? ps.datagramsDropped() : 0, ps.connectFailureCount());
    }

    private static EndpointView endpoint(Backend b, String state) {
        RequestStats r = b.requests();
        boolean udp = b.servicePort().protocol() == io.switchboard.model.Protocol.UDP;
        return new EndpointView(HostPort.of(b.socketAddress()), b.weight(), b.relayedActiveConnections(),
                b.relayedInactiveConnections(), b.totalConnections(), b.bytesToEndpoint(), b.bytesFromEndpoint(),
                b.connectFailures(), r.inFlight(), r.total(), state, b.targetName(),
                b.nodeName(), b.remoteActiveConnections(), b.configuredWeight(), b.operatorDrained(), byClass(r),
                errors(r), r.buckets(), quantile(r, 0.5), quantile(r, 0.99), b.datagramsToEndpoint(),
                b.datagramsFromEndpoint(), udp ? b.relayedActiveConnections() : 0);
    }

    /** Requests by status class ({@code 0} for no answer, {@code 1xx} to {@code 5xx}), only the classes seen. */
    static java.util.Map<String, Long> byClass(RequestStats r) {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (int c = 0; c <= 5; c++) {
            long n = r.byClass(c);
            if (n > 0) {
                out.put(c == 0 ? "0" : c + "xx", n);
            }
        }
        return out;
    }

    /** 5xx answers and requests that ended without one. */
    static long errors(RequestStats r) {
        return r.byClass(5) + r.byClass(0);
    }

    /**
     * The {@code q} quantile of the latency histogram in seconds, interpolated linearly inside its
     * bucket as Prometheus' {@code histogram_quantile} does; null without requests. Above the last
     * bound it answers the last bound.
     */
    static Double quantile(RequestStats r, double q) {
        return quantile(r.buckets(), RequestStats.BUCKETS, q);
    }

    static Double quantile(long[] buckets, double[] bounds, double q) {
        long total = 0;
        for (long n : buckets) {
            total += n;
        }
        if (total == 0) {
            return null;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] > 0 && seen + buckets[i] >= rank) {
                if (i >= bounds.length) {
                    return bounds[bounds.length - 1];
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * ((rank - seen) / buckets[i]);
            }
            seen += buckets[i];
        }
        return bounds[bounds.length - 1];
    }

    /** The health of a schedulable endpoint. */
    static String state(Backend b) {
        if (!b.checkedHealthy()) {
            return "down(check)";
        }
        Backend.DownReason held = b.downReason();
        if (held != null) {
            return held == Backend.DownReason.EJECTION ? "ejected" : "down(connect)";
        }
        if (b.operatorDrained()) {
            return "drained(operator)";
        }
        if (b.weight() == 0) {
            return "drained";
        }
        return b.conditions().terminating() ? "up(terminating)" : "up";
    }

    private static String outOfPool(Backend b) {
        if (b.conditions().terminating()) {
            return b.conditions().serving() ? "terminating" : "terminating(not-serving)";
        }
        return b.conditions().ready() ? "other-node" : "not-ready";
    }

}
