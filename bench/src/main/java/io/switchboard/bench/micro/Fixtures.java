package io.switchboard.bench.micro;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointConditions;
import io.switchboard.model.EndpointPort;
import io.switchboard.model.EndpointSlice;
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
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.scheduler.Algorithm;
import io.switchboard.scheduler.SchedulerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Routing state for the microbenchmarks, built through {@link RoutingTableBuilder} from model objects
 * as the unit tests and the sync loop build it, so the schedulers see real {@link Backend}s (volatile
 * counters, a clock read per availability check) rather than test doubles with plain fields.
 */
public final class Fixtures {

    /** Every benchmark draws from this seed, so two runs measure the same inputs. */
    public static final long SEED = 20_261_203L;

    private Fixtures() {
    }

    public static InetAddress ip(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The {@code i}-th endpoint address, 10.1.0.1 onwards. */
    public static InetAddress endpointAddress(int i) {
        return ip(10, 1 + (i >> 16), (i >> 8) & 0xff, i & 0xff);
    }

    /** A pseudo-random client address in 100.64.0.0/10, the range a node's pod and client traffic might come from. */
    public static InetAddress clientAddress(Random random) {
        int bits = random.nextInt();
        return ip(100, 64 | ((bits >>> 16) & 0x3f), (bits >>> 8) & 0xff, bits & 0xff);
    }

    /** An ephemeral port as Linux assigns them (32768-60999). */
    public static int clientPort(Random random) {
        return 32768 + random.nextInt(60999 - 32768 + 1);
    }

    /**
     * The routing table of one Service at {@code serviceAddress}:{@code port} with {@code endpoints} ready
     * endpoints on {@code targetPort}, scheduled by {@code algorithm}. Endpoint weights are 1 to 4 (drawn
     * from {@code random}) so the weighted schedulers do not degenerate to their unweighted forms.
     */
    public static RoutingTable table(Algorithm algorithm, int endpoints, Protocol protocol, InetAddress serviceAddress,
                                     int port, int targetPort, Random random) {
        ServiceId id = new ServiceId("bench", "svc");
        Map<String, Integer> weights = new HashMap<>();
        List<Endpoint> eps = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            InetAddress a = endpointAddress(i);
            weights.put(a.getHostAddress(), 1 + random.nextInt(4));
            eps.add(new Endpoint(List.of(a), EndpointConditions.READY, null, null, null));
        }
        ServiceOptions d = ServiceOptions.DEFAULT;
        ServiceOptions options = new ServiceOptions(algorithm, Set.of(), weights, Optional.empty(), d.connectTimeout(),
                d.connectAttempts(), d.idleTimeout(), d.downBackoff(), d.udpTimeout(), d.udpStreamTimeout(), d.http());
        Service svc = new Service(id, ServiceType.CLUSTER_IP, List.of(serviceAddress), List.of(), List.of(),
                List.of(new ServicePort("p", protocol, port, TargetPort.of(targetPort), 0, "")), SessionAffinity.NONE,
                TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER, options);
        // A slice holds at most 1,000 endpoints in Kubernetes; split as the EndpointSlice controller would.
        List<EndpointSlice> slices = new ArrayList<>();
        for (int from = 0; from < eps.size() || from == 0; from += 1000) {
            slices.add(new EndpointSlice("svc-" + from, id, List.of(new EndpointPort("p", protocol, targetPort)),
                    eps.subList(from, Math.min(eps.size(), from + 1000)), false));
        }
        RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("node", List.of(),
                SchedulerConfig.DEFAULT, System::nanoTime));
        return builder.apply(Set.of(id), new ClusterSnapshot(Map.of(id, svc), Map.of(id, slices))).table();
    }

    /**
     * Puts a steady, uneven load on the pool: about eight connections per unit of weight (plus a few
     * closing ones), some requests in flight and a latency estimate on each endpoint. An idle pool would
     * let the least-connection family stop at the first zero and hide the comparisons it does under load.
     */
    public static void load(BackendPool pool, Random random) {
        for (Backend b : pool.backends()) {
            int active = b.weight() * 8 + random.nextInt(4);
            for (int i = 0; i < active; i++) {
                b.connectionOpened();
            }
            for (int i = random.nextInt(3); i > 0; i--) {
                b.connectionOpened();
                b.connectionClosing();
            }
            for (int i = random.nextInt(4); i > 0; i--) {
                b.requests().started();
            }
            b.observeLatency(500_000 + random.nextInt(4_500_000));
        }
    }
}
