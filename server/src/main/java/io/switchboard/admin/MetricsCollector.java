package io.switchboard.admin;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.model.HostPort;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.RequestStats;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.ServicePortStats;
import io.switchboard.routing.ServiceRoutes;
import java.util.HashSet;
import java.util.Set;

/**
 * Builds Prometheus metrics from the routing table at scrape time. The data plane only bumps plain
 * counters on its objects; nothing on the hot path looks up a labelled metric.
 */
final class MetricsCollector implements MultiCollector {

    private final ProxyState switchboard;

    MetricsCollector(ProxyState switchboard) {
        this.switchboard = switchboard;
    }

    private static final class Family {
        final CounterSnapshot.Builder counter;
        final GaugeSnapshot.Builder gauge;

        Family(String name, String help, boolean isCounter) {
            counter = isCounter ? CounterSnapshot.builder().name(name).help(help) : null;
            gauge = isCounter ? null : GaugeSnapshot.builder().name(name).help(help);
        }

        void add(double value, Labels labels) {
            if (counter != null) {
                counter.dataPoint(CounterDataPointSnapshot.builder().value(value).labels(labels).build());
            } else {
                gauge.dataPoint(GaugeDataPointSnapshot.builder().value(value).labels(labels).build());
            }
        }

        void into(MetricSnapshots.Builder out) {
            out.metricSnapshot(counter != null ? counter.build() : gauge.build());
        }
    }

    private static boolean isHttp(ServiceRoutes routes, io.switchboard.model.ServicePortName spn) {
        for (var p : routes.service().ports()) {
            if (p.nameIn(routes.service().id()).equals(spn)) {
                return p.balancesRequests();
            }
        }
        return false;
    }

    private static void addRequests(Family f, RequestStats r, Labels labels) {
        for (int c = 0; c <= 5; c++) {
            long n = r.byClass(c);
            if (n > 0 || c == 2 || c == 5) {
                f.add(n, labels.add("class", c == 0 ? "0" : c + "xx"));
            }
        }
    }

    private static HistogramSnapshot.HistogramDataPointSnapshot latency(RequestStats r, Labels labels) {
        double[] bounds = new double[RequestStats.BUCKETS.length + 1];
        System.arraycopy(RequestStats.BUCKETS, 0, bounds, 0, RequestStats.BUCKETS.length);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, r.buckets()))
                .sum(r.latencySum()).labels(labels).build();
    }

    @Override
    public MetricSnapshots collect() {
        RoutingTable table = switchboard.table();
        Family epActive = new Family("switchboard_endpoint_connections_active",
                "Connections established both ways to an endpoint (for UDP: its flows)", false);
        Family epInactive = new Family("switchboard_endpoint_connections_inactive",
                "Connections to an endpoint with one direction finished", false);
        Family epTotal = new Family("switchboard_endpoint_connections",
                "Connections established to an endpoint", true);
        Family epBytes = new Family("switchboard_endpoint_bytes", "Bytes relayed to and from an endpoint", true);
        Family epFailures = new Family("switchboard_endpoint_connect_failures",
                "Failed connect attempts to an endpoint", true);
        Family epUp = new Family("switchboard_endpoint_up",
                "1 when the endpoint may take new connections (healthy, not held down, weight above 0)", false);
        Family svcActive = new Family("switchboard_service_connections_active",
                "Connections of a Service port open now", false);
        Family svcTotal = new Family("switchboard_service_connections", "Connections a Service port relayed", true);
        Family svcBytes = new Family("switchboard_service_bytes", "Bytes a Service port relayed", true);
        Family svcFailures = new Family("switchboard_service_connect_failures",
                "Failed connect attempts of a Service port", true);
        Family svcRetries = new Family("switchboard_service_retries",
                "Connections that tried another endpoint after a failed connect", true);
        Family svcRejected = new Family("switchboard_service_rejected_connections",
                "Connections reset because no endpoint could take them", true);
        Family svcSourceDenied = new Family("switchboard_service_source_range_denied",
                "Connections and flow-opening UDP datagrams to a load-balancer IP from outside its"
                        + " loadBalancerSourceRanges, refused", true);
        Family epDatagrams = new Family("switchboard_endpoint_datagrams", "UDP datagrams relayed to and from an endpoint",
                true);
        Family svcDatagrams = new Family("switchboard_service_datagrams", "UDP datagrams a Service port relayed", true);
        Family svcDropped = new Family("switchboard_service_datagrams_dropped",
                "UDP datagrams dropped: no usable endpoint, or a full socket queue", true);
        Family svcRequests = new Family("switchboard_service_requests",
                "HTTP requests by status class (class=\"0\": ended without a response)", true);
        Family epRequests = new Family("switchboard_endpoint_requests", "HTTP requests an endpoint answered, by status class",
                true);
        Family svcInFlight = new Family("switchboard_service_requests_in_flight", "HTTP requests in flight", false);
        Family epInFlight = new Family("switchboard_endpoint_requests_in_flight", "HTTP requests in flight to an endpoint",
                false);
        Family svcEjections = new Family("switchboard_service_ejections",
                "Endpoints ejected by outlier detection (consecutive failures or 5xx)", true);
        Family epEjections = new Family("switchboard_endpoint_ejections", "Times outlier detection ejected an endpoint",
                true);
        Family epRecoveries = new Family("switchboard_endpoint_probe_recoveries",
                "Hold-downs (failed connects, ejections) a successful probe or check ended early", true);
        HistogramSnapshot.Builder svcLatency = HistogramSnapshot.builder().name("switchboard_service_request_duration_seconds")
                .help("HTTP request latency, from the request head to the end of the response");
        HistogramSnapshot.Builder epLatency = HistogramSnapshot.builder().name("switchboard_endpoint_request_duration_seconds")
                .help("HTTP latency of an endpoint, from sending the request to the end of its response");
        boolean anyHttp = false;
        Family svcFlows = new Family("switchboard_service_flows",
                "UDP flows by how they began or ended (created, expired, evicted, reconciled, flushed)", true);
        for (ServiceRoutes routes : table.services().values()) {
            Set<ServicePortStats> seen = new HashSet<>();
            for (BackendPool pool : routes.pools()) {
                ServicePortStats s = pool.stats();
                if (!seen.add(s)) {
                    continue;
                }
                var spn = pool.id().servicePort();
                Labels labels = Labels.of("service", spn.service().toString(), "port", spn.port(), "protocol",
                        spn.protocol().name());
                int active = 0;
                boolean http = isHttp(routes, spn);
                for (Backend b : RoutingView.endpointsOf(routes, spn, s)) {
                    active += b.relayedActiveConnections() + b.relayedInactiveConnections();
                    Labels el = labels.add("endpoint", HostPort.of(b.socketAddress()));
                    epActive.add(b.relayedActiveConnections(), el);
                    epInactive.add(b.relayedInactiveConnections(), el);
                    epTotal.add(b.totalConnections(), el);
                    epBytes.add(b.bytesToEndpoint(), el.add("direction", "to_endpoint"));
                    epBytes.add(b.bytesFromEndpoint(), el.add("direction", "from_endpoint"));
                    epFailures.add(b.connectFailures(), el);
                    epUp.add(b.isAvailable() && b.weight() > 0 ? 1 : 0, el);
                    epRecoveries.add(b.recoveredCount(), el);
                    if (spn.protocol() == io.switchboard.model.Protocol.UDP) {
                        epDatagrams.add(b.datagramsToEndpoint(), el.add("direction", "to_endpoint"));
                        epDatagrams.add(b.datagramsFromEndpoint(), el.add("direction", "from_endpoint"));
                    }
                    if (http) {
                        addRequests(epRequests, b.requests(), el);
                        epInFlight.add(b.requests().inFlight(), el);
                        epEjections.add(b.ejectedCount(), el);
                        epLatency.dataPoint(latency(b.requests(), el));
                    }
                }
                if (http) {
                    anyHttp = true;
                    addRequests(svcRequests, s.requests(), labels);
                    svcInFlight.add(s.requests().inFlight(), labels);
                    svcEjections.add(s.ejectionCount(), labels);
                    svcLatency.dataPoint(latency(s.requests(), labels));
                }
                if (spn.protocol() == io.switchboard.model.Protocol.UDP) {
                    svcDatagrams.add(s.datagramsToEndpoints(), labels.add("direction", "to_endpoint"));
                    svcDatagrams.add(s.datagramsFromEndpoints(), labels.add("direction", "from_endpoint"));
                    svcDropped.add(s.datagramsDropped(), labels);
                    svcFlows.add(s.flowsCreated(), labels.add("event", "created"));
                    svcFlows.add(s.flowsExpired(), labels.add("event", "expired"));
                    svcFlows.add(s.flowsEvicted(), labels.add("event", "evicted"));
                    svcFlows.add(s.flowsReconciled(), labels.add("event", "reconciled"));
                    svcFlows.add(s.flowsFlushed(), labels.add("event", "flushed"));
                }
                svcActive.add(active, labels);
                svcTotal.add(s.connectionCount(), labels);
                svcBytes.add(s.bytesToEndpoints(), labels.add("direction", "to_endpoint"));
                svcBytes.add(s.bytesFromEndpoints(), labels.add("direction", "from_endpoint"));
                svcFailures.add(s.connectFailureCount(), labels);
                svcRetries.add(s.retryCount(), labels);
                svcRejected.add(s.rejectedCount(), labels);
                svcSourceDenied.add(s.sourceDeniedCount(), labels);
            }
        }
        Family unrouted = new Family("switchboard_unrouted_connections",
                "Connections that reached a shared listener on an address no Service serves", true);
        unrouted.add(switchboard.dataPlane().state().stats().unroutedCount(), Labels.EMPTY);
        Family errors = new Family("switchboard_config_errors",
                "Configuration errors in the last load (their objects keep their last good version)", false);
        errors.add(switchboard.status().errors().size(), Labels.EMPTY);
        Family services = new Family("switchboard_services", "Services in the routing table", false);
        services.add(table.services().size(), Labels.EMPTY);
        Family addresses = new Family("switchboard_virtual_addresses", "Addresses served", false);
        addresses.add(table.virtualServices().size(), Labels.EMPTY);
        Family version = new Family("switchboard_routing_table_version", "Version of the table in effect", false);
        version.add(table.version(), Labels.EMPTY);
        Family affinity = new Family("switchboard_affinity_entries", "ClientIP affinity entries", false);
        affinity.add(switchboard.dataPlane().state().affinity().size(), Labels.EMPTY);
        var limit = switchboard.dataPlane().connectionLimit();
        Family clientConnections = new Family("switchboard_client_connections",
                "Client connections open over all TCP listeners", false);
        clientConnections.add(limit.open(), Labels.EMPTY);
        Family maxConnections = new Family("switchboard_client_connections_max",
                "The cap on client connections (--max-connections)", false);
        maxConnections.add(limit.max(), Labels.EMPTY);
        Family pauses = new Family("switchboard_accept_pauses",
                "Times the connection cap stopped accepting new clients", true);
        pauses.add(limit.pauses(), Labels.EMPTY);
        Family resetsRefused = new Family("switchboard_http2_client_resets_refused",
                "HTTP/2 stream resets refused because the client address spent its budget (each ended its"
                        + " connection with GOAWAY ENHANCE_YOUR_CALM)", true);
        resetsRefused.add(switchboard.dataPlane().resetBudget().refused(), Labels.EMPTY);
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (Family f : new Family[] {epActive, epInactive, epTotal, epBytes, epFailures, epUp, epRecoveries, svcActive, svcTotal,
                svcBytes, svcFailures, svcRetries, svcRejected, svcSourceDenied, epDatagrams, svcDatagrams, svcDropped, svcFlows, unrouted,
                errors, services, addresses, version, affinity, clientConnections, maxConnections, pauses}) {
            f.into(out);
        }
        if (anyHttp) {
            for (Family f : new Family[] {svcRequests, epRequests, svcInFlight, epInFlight, svcEjections, epEjections,
                    resetsRefused}) {
                f.into(out);
            }
            out.metricSnapshot(svcLatency.build());
            out.metricSnapshot(epLatency.build());
        }
        return out.build();
    }
}
