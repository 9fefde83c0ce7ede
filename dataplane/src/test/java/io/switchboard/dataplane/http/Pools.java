package io.switchboard.dataplane.http;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointConditions;
import io.switchboard.model.EndpointPort;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.HttpOptions;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServiceOptions;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServiceType;
import io.switchboard.model.SessionAffinity;
import io.switchboard.model.TargetPort;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.scheduler.Algorithm;
import io.switchboard.scheduler.SchedulerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/** Backend pools of one HTTP Service, built by the real routing table builder, for choice tests. */
final class Pools {

    static final ServiceId WEB = new ServiceId("test", "web");
    static final int PORT = 80;
    static final int TARGET = 8080;
    static final VirtualAddress VIP = new VirtualAddress(ip("10.96.0.20"), PORT, Protocol.TCP);

    private Pools() {
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** Options with {@code scheduler} and {@code http}, the rest as without annotations. */
    static ServiceOptions options(Algorithm scheduler, HttpOptions http) {
        ServiceOptions d = ServiceOptions.DEFAULT;
        return new ServiceOptions(scheduler, d.schedulerFlags(), d.endpointWeights(), d.healthCheck(),
                d.connectTimeout(), d.connectAttempts(), d.idleTimeout(), d.downBackoff(), d.udpTimeout(),
                d.udpStreamTimeout(), http);
    }

    /** HTTP options as the defaults, with a per-endpoint request limit, a hash key and a sticky cookie. */
    static HttpOptions http(int maxRequestsPerEndpoint, HttpOptions.HashKey hashKey, String stickyCookie) {
        HttpOptions d = HttpOptions.DEFAULT;
        return new HttpOptions(d.retries(), d.retryBudgetPercent(), d.tryTimeout(), d.requestTimeout(),
                maxRequestsPerEndpoint, d.outlierConsecutiveErrors(), d.outlierBaseEjection(), hashKey, stickyCookie,
                d.retryMinPerSecond(), d.bodyTimeout());
    }

    /** The pool of the web Service with {@code options} and ready endpoints at {@code ips}, port {@value #TARGET}. */
    static BackendPool pool(ServiceOptions options, LongSupplier nanoTime, String... ips) {
        return pool(VIP, options, nanoTime, ips);
    }

    /** As {@link #pool(ServiceOptions, LongSupplier, String...)}, on {@code vip}, whose family the endpoints share. */
    static BackendPool pool(VirtualAddress vip, ServiceOptions options, LongSupplier nanoTime, String... ips) {
        Service svc = new Service(WEB, ServiceType.CLUSTER_IP, List.of(vip.address()), List.of(), List.of(),
                List.of(new ServicePort("http", Protocol.TCP, PORT, TargetPort.of(TARGET), 0, "http")),
                SessionAffinity.NONE, TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER, options);
        List<Endpoint> endpoints = new ArrayList<>();
        for (String e : ips) {
            endpoints.add(new Endpoint(List.of(ip(e)), EndpointConditions.READY, null, null, null, Set.of(), Set.of()));
        }
        EndpointSlice slice = new EndpointSlice("web-1", WEB, List.of(new EndpointPort("http", Protocol.TCP, TARGET)),
                endpoints, false);
        RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("node", List.of(),
                SchedulerConfig.DEFAULT, nanoTime));
        return builder.apply(Set.of(WEB), new ClusterSnapshot(Map.of(WEB, svc), Map.of(WEB, List.of(slice))))
                .table().lookup(vip).pool();
    }

    /** The backend of {@code pool} at {@code ip}. */
    static Backend backend(BackendPool pool, String ip) {
        return pool.backends().stream().filter(b -> b.address().equals(ip(ip))).findFirst()
                .orElseThrow(() -> new AssertionError("no endpoint " + ip + " in " + pool.backends()));
    }
}
