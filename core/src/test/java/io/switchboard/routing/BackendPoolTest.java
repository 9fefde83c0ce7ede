package io.switchboard.routing;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.ip;
import static io.switchboard.testing.Models.ready;
import static io.switchboard.testing.Models.slice;
import static io.switchboard.testing.Models.tcp;
import static io.switchboard.testing.Models.withAffinity;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.affinity.AffinityTable;
import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.SessionAffinity;
import io.switchboard.scheduler.PickContext;
import io.switchboard.scheduler.SchedulerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendPoolTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("node",
            List.of(), SchedulerConfig.DEFAULT, now::get));
    private final AffinityTable<Backend> affinity = new AffinityTable<>(1000, now::get);

    private BackendPool pool(Service svc, String... endpoints) {
        var eps = java.util.Arrays.stream(endpoints).map(e -> ready(e)).toArray(io.switchboard.model.Endpoint[]::new);
        ClusterSnapshot snap = new ClusterSnapshot(Map.of(svc.id(), svc),
                Map.of(svc.id(), List.of(slice(svc.id().toString(), "http", 8080, eps))));
        return builder.apply(Set.of(svc.id()), snap).table().lookup(ip("127.0.0.10"), 80, Protocol.TCP).pool();
    }

    private static PickContext from(String client) {
        return PickContext.of(ip(client), 5000, ip("127.0.0.10"), 80);
    }

    @Test
    void clientIpAffinityHoldsUntilTheTimeoutAndEachConnectionRefreshesIt() {
        Service svc = withAffinity(clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080)),
                SessionAffinity.clientIp(Duration.ofSeconds(10)));
        BackendPool pool = pool(svc, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        Backend first = pool.choose(from("127.0.0.2"), affinity);
        for (int i = 0; i < 5; i++) {
            now.addAndGet(Duration.ofSeconds(9).toNanos());
            assertThat(pool.choose(from("127.0.0.2"), affinity)).isSameAs(first);
        }
        assertThat(pool.choose(from("127.0.0.3"), affinity)).as("another client is scheduled").isNotSameAs(first);
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(pool.choose(from("127.0.0.2"), affinity)).as("expired: round robin moves on")
                .isNotSameAs(first);
    }

    @Test
    void affinityForgetsAnEndpointThatBecameUnusable() {
        Service svc = withAffinity(clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080)),
                SessionAffinity.clientIp(Duration.ofSeconds(100)));
        BackendPool pool = pool(svc, "10.0.0.1", "10.0.0.2");
        Backend first = pool.choose(from("127.0.0.2"), affinity);
        first.connectFailed(Duration.ofSeconds(5).toNanos());
        Backend second = pool.choose(from("127.0.0.2"), affinity);
        assertThat(second).isNotSameAs(first);
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(pool.choose(from("127.0.0.2"), affinity)).as("the new choice is remembered").isSameAs(second);

        BackendPool rebuilt = pool(svc, "10.0.0.1");
        assertThat(rebuilt.choose(from("127.0.0.2"), affinity)).as("removed endpoint forgotten")
                .isNotSameAs(second).isSameAs(first);
    }

    @Test
    void failedConnectHoldsAnEndpointDownWithGrowingBackoff() {
        Service svc = clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080));
        BackendPool pool = pool(svc, "10.0.0.1", "10.0.0.2");
        Backend a = pool.backends().get(0);
        a.connectFailed(Duration.ofSeconds(1).toNanos());
        assertThat(a.isAvailable()).isFalse();
        now.addAndGet(Duration.ofMillis(1001).toNanos());
        assertThat(a.isAvailable()).isTrue();
        a.connectFailed(Duration.ofSeconds(1).toNanos());
        now.addAndGet(Duration.ofMillis(1500).toNanos());
        assertThat(a.isAvailable()).as("second consecutive failure: 2 s").isFalse();
        now.addAndGet(Duration.ofMillis(600).toNanos());
        assertThat(a.isAvailable()).isTrue();
        a.connectionOpened();
        a.connectFailed(Duration.ofSeconds(1).toNanos());
        now.addAndGet(Duration.ofMillis(1001).toNanos());
        assertThat(a.isAvailable()).as("a success reset the back-off").isTrue();
    }

    @Test
    void whenEveryEndpointIsHeldDownTheyAreTriedAnyway() {
        Service svc = clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080));
        BackendPool pool = pool(svc, "10.0.0.1", "10.0.0.2");
        pool.backends().forEach(b -> b.connectFailed(Duration.ofSeconds(5).toNanos()));
        assertThat(pool.choose(from("127.0.0.2"), affinity)).isNotNull();
        Backend only = pool.backends().get(0);
        assertThat(pool.choose(from("127.0.0.2").excluding(List.of(only)), affinity)).isSameAs(pool.backends().get(1));
        assertThat(pool.choose(from("127.0.0.2").excluding(pool.backends()), affinity)).isNull();
    }

    @Test
    void emptyPoolChoosesNothing() {
        Service svc = clusterIp("ns/web", "127.0.0.10", tcp("http", 80, 8080));
        assertThat(pool(svc).choose(from("127.0.0.2"), affinity)).isNull();
    }
}
