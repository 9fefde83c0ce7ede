package io.switchboard.routing;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.endpoint;
import static io.switchboard.testing.Models.ip;
import static io.switchboard.testing.Models.ready;
import static io.switchboard.testing.Models.slice;
import static io.switchboard.testing.Models.tcp;
import static io.switchboard.testing.Models.withExternalIps;
import static io.switchboard.testing.Models.withOptions;
import static io.switchboard.testing.Models.withPolicies;
import static io.switchboard.testing.Models.withType;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.EndpointConditions;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServiceOptions;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServiceType;
import io.switchboard.model.TargetPort;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.scheduler.SchedulerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingTableBuilderTest {

    private final RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("node-a",
            List.of(ip("127.0.0.1")), SchedulerConfig.DEFAULT, System::nanoTime));

    private static ClusterSnapshot snapshot(List<Service> services, EndpointSlice... slices) {
        Map<ServiceId, Service> s = new HashMap<>();
        services.forEach(x -> s.put(x.id(), x));
        Map<ServiceId, List<EndpointSlice>> e = new HashMap<>();
        for (EndpointSlice slice : slices) {
            e.computeIfAbsent(slice.service(), k -> new java.util.ArrayList<>()).add(slice);
        }
        return new ClusterSnapshot(s, e);
    }

    private static Set<ServiceId> ids(Service... services) {
        return java.util.Arrays.stream(services).map(Service::id).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void servesClusterExternalAndNodePortAddresses() {
        ServicePort port = new ServicePort("http", Protocol.TCP, 80, TargetPort.of(8080), 30080, "");
        Service svc = withExternalIps(withType(clusterIp("ns/web", "127.0.0.10", port), ServiceType.NODE_PORT),
                "127.0.0.20");
        RoutingUpdate update = builder.apply(ids(svc), snapshot(List.of(svc),
                slice("ns/web", "http", 8080, ready("10.0.0.1"), ready("10.0.0.2"))));
        RoutingTable table = update.table();
        assertThat(update.added()).extracting(VirtualAddress::toString).containsExactlyInAnyOrder(
                "127.0.0.10:80/TCP", "127.0.0.20:80/TCP", "127.0.0.1:30080/TCP");
        VirtualService cluster = table.lookup(ip("127.0.0.10"), 80, Protocol.TCP);
        assertThat(cluster.kind()).isEqualTo(AddressKind.CLUSTER_IP);
        assertThat(cluster.pool().backends()).extracting(b -> b.socketAddress().toString())
                .containsExactly("/10.0.0.1:8080", "/10.0.0.2:8080");
        assertThat(table.lookup(ip("127.0.0.1"), 30080, Protocol.TCP).kind()).isEqualTo(AddressKind.NODE_PORT);
        assertThat(table.lookup(ip("127.0.0.10"), 80, Protocol.UDP)).isNull();
        assertThat(table.lookup(ip("127.0.0.11"), 80, Protocol.TCP)).isNull();
    }

    @Test
    void clusterIpServicesGetNoNodePort() {
        ServicePort port = new ServicePort("http", Protocol.TCP, 80, TargetPort.of(8080), 30080, "");
        Service svc = clusterIp("ns/web", "127.0.0.10", port);
        assertThat(builder.apply(ids(svc), snapshot(List.of(svc))).added()).hasSize(1);
    }

    @Test
    void terminatingEndpointsStandInOnlyWhenNoneAreReady() {
        Service svc = clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080));
        EndpointConditions terminating = new EndpointConditions(false, true, true);
        EndpointConditions notServing = new EndpointConditions(false, false, true);
        RoutingTable table = builder.apply(ids(svc), snapshot(List.of(svc), slice("ns/web", "http", 8080,
                ready("10.0.0.1"), endpoint("10.0.0.2", terminating, null), endpoint("10.0.0.3", notServing, null))))
                .table();
        BackendPool pool = table.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool();
        assertThat(pool.backends()).hasSize(1);
        assertThat(pool.terminatingFallback()).isFalse();

        table = builder.apply(ids(svc), snapshot(List.of(svc), slice("ns/web", "http", 8080,
                endpoint("10.0.0.2", terminating, null), endpoint("10.0.0.3", notServing, null)))).table();
        pool = table.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool();
        assertThat(pool.backends()).extracting(Backend::address).containsExactly(ip("10.0.0.2"));
        assertThat(pool.terminatingFallback()).isTrue();
        assertThat(table.services().get(svc.id()).allBackends()).hasSize(2);
    }

    @Test
    void localTrafficPolicyKeepsThisNodesEndpoints() {
        Service svc = withPolicies(withExternalIps(clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080)),
                "127.0.0.20"), TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER);
        RoutingTable table = builder.apply(ids(svc), snapshot(List.of(svc), slice("ns/web", "http", 8080,
                endpoint("10.0.0.1", EndpointConditions.READY, "node-b"),
                endpoint("10.0.0.2", EndpointConditions.READY, "node-a")))).table();
        assertThat(table.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool().backends()).hasSize(2);
        assertThat(table.lookup(ip("127.0.0.20"), 80, Protocol.TCP).pool().backends())
                .extracting(Backend::address).containsExactly(ip("10.0.0.2"));
    }

    @Test
    void rebuildsReuseBackendsSoCountsSurviveAndRetireRemovedOnes() {
        Service svc = clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080));
        RoutingTable first = builder.apply(ids(svc), snapshot(List.of(svc),
                slice("ns/web", "http", 8080, ready("10.0.0.1"), ready("10.0.0.2")))).table();
        Backend one = first.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool().backends().get(0);
        Backend two = first.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool().backends().get(1);
        one.connectionOpened();
        RoutingTable second = builder.apply(ids(svc), snapshot(List.of(svc),
                slice("ns/web", "http", 8080, ready("10.0.0.1")))).table();
        Backend again = second.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool().backends().get(0);
        assertThat(again).isSameAs(one);
        assertThat(again.activeConnections()).isEqualTo(1);
        assertThat(two.retired()).isTrue();
        assertThat(one.retired()).isFalse();
    }

    @Test
    void connectionSchedulersWeighRequestsInFlightOnAPortThatBalancesRequests() {
        ServiceOptions lc = new ServiceOptions(io.switchboard.scheduler.Algorithm.LC, Set.of(), Map.of(),
                java.util.Optional.empty(), java.time.Duration.ofSeconds(2), 3, java.time.Duration.ofHours(1),
                java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(120),
                io.switchboard.model.HttpOptions.DEFAULT);
        Service http = withOptions(clusterIp("ns/http", "127.0.0.10",
                new ServicePort("web", Protocol.TCP, 80, TargetPort.of(8080), 0, "http")), lc);
        Service tcp = withOptions(clusterIp("ns/tcp", "127.0.0.11",
                new ServicePort("web", Protocol.TCP, 80, TargetPort.of(8080), 0, "")), lc);
        RoutingTable table = builder.apply(ids(http, tcp), snapshot(List.of(http, tcp),
                slice("ns/http", "web", 8080, ready("10.0.0.1"), ready("10.0.0.2")),
                slice("ns/tcp", "web", 8080, ready("10.0.0.1"), ready("10.0.0.2")))).table();
        BackendPool httpPool = table.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool();
        BackendPool tcpPool = table.lookup(ip("127.0.0.11"), 80, Protocol.TCP).pool();
        var pick = io.switchboard.scheduler.PickContext.of(ip("127.0.0.99"), 40000, ip("127.0.0.10"), 80);
        var affinity = new io.switchboard.affinity.AffinityTable<Backend>(100, System::nanoTime);

        httpPool.backends().get(0).requests().started();
        assertThat(httpPool.choose(pick, affinity).address()).as("the first endpoint has a request in flight")
                .isEqualTo(ip("10.0.0.2"));
        assertThat(httpPool.backends().get(0).relayedActiveConnections()).isZero();

        tcpPool.backends().get(0).connectionOpened();
        tcpPool.backends().get(1).requests().started();
        assertThat(tcpPool.choose(pick, affinity).address()).as("an L4 port weighs connections only")
                .isEqualTo(ip("10.0.0.2"));
        assertThat(tcpPool.backends().get(0).activeConnections()).isEqualTo(1);
    }

    @Test
    void unchangedServicesAreSharedWithThePreviousTable() {
        Service a = clusterIp("ns/a", "127.0.0.10", tcp("http", 80, 8080));
        Service b = clusterIp("ns/b", "127.0.0.11", tcp("http", 80, 8080));
        RoutingTable first = builder.apply(ids(a, b), snapshot(List.of(a, b))).table();
        Service b2 = clusterIp("ns/b", "127.0.0.12", tcp("http", 80, 8080));
        RoutingUpdate update = builder.apply(ids(b2), snapshot(List.of(a, b2)));
        assertThat(update.table().services().get(a.id())).isSameAs(first.services().get(a.id()));
        assertThat(update.added()).extracting(VirtualAddress::toString).containsExactly("127.0.0.12:80/TCP");
        assertThat(update.removed()).extracting(VirtualAddress::toString).containsExactly("127.0.0.11:80/TCP");
        assertThat(update.table().version()).isGreaterThan(first.version());
    }

    @Test
    void namedTargetPortsResolveThroughSlicePortNames() {
        ServicePort named = new ServicePort("web", Protocol.TCP, 80, TargetPort.named("http-alt"), 0, "");
        Service svc = clusterIp("ns/web", "127.0.0.10", named);
        RoutingTable table = builder.apply(ids(svc), snapshot(List.of(svc),
                slice("ns/web", "http-alt", 8081, ready("10.0.0.1")))).table();
        assertThat(table.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool().backends().get(0).port()).isEqualTo(8081);
        // The slice port named like the Service port wins: that is what the EndpointSlice controller writes.
        table = builder.apply(ids(svc), snapshot(List.of(svc),
                slice("ns/web", "web", 9000, ready("10.0.0.1")))).table();
        assertThat(table.lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool().backends().get(0).port()).isEqualTo(9000);
    }

    @Test
    void removedServiceDisappearsWithItsAddresses() {
        Service a = clusterIp("ns/a", "127.0.0.10", tcp("http", 80, 8080));
        builder.apply(ids(a), snapshot(List.of(a), slice("ns/a", "http", 8080, ready("10.0.0.1"))));
        RoutingUpdate update = builder.apply(ids(a), snapshot(List.of()));
        assertThat(update.table().virtualServices()).isEmpty();
        assertThat(update.table().services()).isEmpty();
        assertThat(update.removed()).hasSize(1);
    }
}
