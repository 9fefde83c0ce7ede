package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static io.switchboard.server.Clients.metric;
import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.DemoBackend;
import io.switchboard.server.MockApi.Ep;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes API source end to end: objects created, scaled, updated and deleted through the
 * fabric8 client change real traffic through Switchboard. The API is fabric8's mock server in CRUD
 * mode (no real API server installs here; see {@link MockApi} for its limits).
 */
class KubernetesSourceIT {

    private static final int PORT = 18181;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private MockApi api;
    private Switchboard sb;

    @BeforeEach
    void setUp() throws Exception {
        api = new MockApi();
        for (int i = 1; i <= 3; i++) {
            closeables.add(DemoBackend.start("pod-" + i, new InetSocketAddress("127.0.7." + i, 19190), 1));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        api.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private Switchboard start() throws Exception {
        sb = Switchboard.start(api.config(dir, "node-1"));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).as("ready after the first full list").isTrue();
        return sb;
    }

    private static Set<String> names(String ip, int port, int connections) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < connections; i++) {
            try {
                out.add(name(ip, port));
            } catch (IOException e) {
                out.add("refused");
            }
        }
        return out;
    }

    private static List<Ep> ready(String... ips) {
        return java.util.Arrays.stream(ips).map(Ep::ready).toList();
    }

    @Test
    void creatingScalingUpdatingAndDeletingThroughTheApiChangesTraffic() throws Exception {
        api.node("node-1", Map.of(), null);
        api.client().services().resource(MockApi.service("shop", "web", "127.0.8.10", PORT)).create();
        api.client().resource(MockApi.slice("shop", "web-1", "web", 19190, ready("127.0.7.1"))).create();
        start();
        assertThat(admin(sb, "/readyz").statusCode()).isEqualTo(200);
        assertThat(names("127.0.8.10", PORT, 3)).containsExactly("pod-1");

        api.client().resource(MockApi.slice("shop", "web-1", "web", 19190,
                ready("127.0.7.1", "127.0.7.2", "127.0.7.3"))).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> names("127.0.8.10", PORT, 6),
                n -> n.equals(Set.of("pod-1", "pod-2", "pod-3")));

        var svc = MockApi.service("shop", "web", "127.0.8.10", PORT + 1);
        api.client().resource(svc).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> names("127.0.8.10", PORT + 1, 3),
                n -> n.equals(Set.of("pod-1", "pod-2", "pod-3")));
        assertThat(names("127.0.8.10", PORT, 1)).as("the old port is gone").containsExactly("refused");

        api.client().resource(MockApi.slice("shop", "web-1", "web", 19190, ready("127.0.7.1"))).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> names("127.0.8.10", PORT + 1, 2),
                n -> n.equals(Set.of("refused")));
        api.client().resource(svc).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> sb.table().services().isEmpty());

        String metrics = admin(sb, "/metrics").body();
        assertThat(metric(metrics, "switchboard_kubernetes_events_total{resource=\"services\",type=\"delete\"}"))
                .isEqualTo(1.0);
        assertThat(metric(metrics, "switchboard_network_programming_duration_seconds_count")).isGreaterThan(0);
        assertThat(metric(metrics, "switchboard_kubernetes_watching{resource=\"endpointslices\"}")).isEqualTo(1.0);
        assertThat(metric(metrics, "switchboard_sync_pending_changes")).isEqualTo(0.0);
        assertThat(metric(metrics, "switchboard_sync_last_success_timestamp_seconds"))
                .isGreaterThan(System.currentTimeMillis() / 1000.0 - 60);
    }

    @Test
    void aWatchDroppedByAnApiServerRestartKeepsServingAndResumes() throws Exception {
        api.node("node-1", Map.of(), null);
        api.client().services().resource(MockApi.service("shop", "web", "127.0.8.11", PORT)).create();
        api.client().resource(MockApi.slice("shop", "web-1", "web", 19190, ready("127.0.7.1"))).create();
        start();
        assertThat(names("127.0.8.11", PORT, 2)).containsExactly("pod-1");

        api.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> metric(admin(sb, "/metrics").body(),
                "switchboard_kubernetes_watching{resource=\"services\"}") == 0.0);
        assertThat(names("127.0.8.11", PORT, 2)).as("the last known state keeps serving").containsExactly("pod-1");
        var ready = admin(sb, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("not watching");

        api.start();
        api.client().resource(MockApi.slice("shop", "web-1", "web", 19190, ready("127.0.7.2", "127.0.7.3")))
                .update();
        await().atMost(Duration.ofSeconds(30)).until(() -> names("127.0.8.11", PORT, 4),
                n -> n.equals(Set.of("pod-2", "pod-3")));
        await().atMost(Duration.ofSeconds(10)).until(() -> admin(sb, "/readyz").body().equals("ready\n"));
        assertThat(sb.status().errors()).isEmpty();
    }

    @Test
    void aBrokenObjectNamesItsApiOriginAndKeepsTheLastGoodVersion() throws Exception {
        api.node("node-1", Map.of(), null);
        api.client().services().resource(MockApi.service("shop", "web", "127.0.8.12", PORT)).create();
        api.client().resource(MockApi.slice("shop", "web-1", "web", 19190, ready("127.0.7.1"))).create();
        start();
        var broken = MockApi.service("shop", "web", "127.0.8.12", PORT);
        broken.getMetadata().setAnnotations(Map.of("switchboard.io/scheduler", "fastest"));
        broken.getSpec().getPorts().get(0).setPort(PORT + 5);
        api.client().resource(broken).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> !sb.status().errors().isEmpty());
        assertThat(sb.status().errors()).singleElement().satisfies(e -> {
            assertThat(e.toString()).startsWith("kubernetes API Service shop/web (resourceVersion ")
                    .contains("metadata.annotations[switchboard.io/scheduler]").contains("fastest");
        });
        assertThat(names("127.0.8.12", PORT, 2)).as("the last good version serves").containsExactly("pod-1");
        assertThat(names("127.0.8.12", PORT + 5, 1)).containsExactly("refused");
    }

    @Test
    void aDualStackServiceBalancesEachFamilyOverEndpointsOfThatFamily() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "IPv6 loopback (::1) is available");
        closeables.add(DemoBackend.start("pod-v6", new InetSocketAddress("::1", 19190), 1));
        api.node("node-1", Map.of(), null);
        var svc = MockApi.service("shop", "dual", "127.0.8.30", PORT + 7);
        svc.getSpec().setClusterIPs(List.of("127.0.8.30", "::1"));
        svc.getSpec().setIpFamilies(List.of("IPv4", "IPv6"));
        svc.getSpec().setIpFamilyPolicy("RequireDualStack");
        api.client().resource(svc).create();
        api.client().resource(MockApi.slice("shop", "dual-v4", "dual", 19190, ready("127.0.7.1", "127.0.7.2")))
                .create();
        var v6 = MockApi.slice("shop", "dual-v6", "dual", 19190, ready("::1"));
        v6.setAddressType("IPv6");
        api.client().resource(v6).create();
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> names("::1", PORT + 7, 4).equals(Set.of("pod-v6")));
        assertThat(names("127.0.8.30", PORT + 7, 4)).containsExactlyInAnyOrder("pod-1", "pod-2");

        api.client().resource(v6).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> names("::1", PORT + 7, 2).equals(Set.of("refused")));
        assertThat(names("127.0.8.30", PORT + 7, 4)).as("no IPv6 endpoint: IPv6 refused, IPv4 unaffected")
                .containsExactlyInAnyOrder("pod-1", "pod-2");
    }

    private static boolean ipv6Loopback() {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void readyOnlyAfterTheFirstListAndHeadlessServicesAreNotWatched() throws Exception {
        api.stop();
        sb = Switchboard.start(api.config(dir, "node-1"));
        Thread.sleep(1500);
        var before = admin(sb, "/readyz");
        assertThat(before.statusCode()).as("no list yet").isEqualTo(503);
        assertThat(before.body()).contains("waiting for the first list");
        api.start();
        var headless = MockApi.service("shop", "db", "127.0.8.13", PORT);
        headless.getMetadata().setLabels(Map.of("service.kubernetes.io/headless", ""));
        api.client().resource(headless).create();
        api.client().services().resource(MockApi.service("shop", "web", "127.0.8.14", PORT)).create();
        api.client().resource(MockApi.slice("shop", "web-1", "web", 19190, ready("127.0.7.3"))).create();
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(30))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> names("127.0.8.14", PORT, 1).equals(Set.of("pod-3")));
        assertThat(admin(sb, "/readyz").statusCode()).isEqualTo(200);
        assertThat(sb.table().services().keySet()).extracting(Object::toString).containsExactly("shop/web");
    }
}
