package io.switchboard.server;

import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.DemoBackend;
import io.switchboard.server.MockApi.Ep;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 Services with three endpoints each, read from the Kubernetes API (fabric8's mock server in
 * CRUD mode): time to ready, heap after a full GC, and the time from one more EndpointSlice change
 * through the API to traffic following it. Times are printed, not asserted; docs/benchmarks.md
 * records them. Tagged {@code scale}: the default build skips it; run it with
 * {@code bench/kubernetes-scale.sh}.
 */
@Tag("scale")
class KubernetesScaleIT {

    static final int SERVICES = 10_000;
    static final int PORT = 18083;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void tenThousandServicesFromTheApiGetReadyAndFollowOneMoreChange() throws Exception {
        for (int i = 1; i <= 4; i++) {
            closeables.add(DemoBackend.start("pod-" + i, new InetSocketAddress("127.0.9." + i, 19190), 1));
        }
        MockApi api = new MockApi();
        closeables.add(api);
        api.node("node-1", Map.of(), null);
        long created = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t;
            done.add(pool.submit(() -> {
                for (int i = first; i < SERVICES; i += 8) {
                    api.client().resource(MockApi.service("ns-" + (i % 100), "svc-" + i, ScaleIT.vip(i), PORT)).create();
                    api.client().resource(MockApi.slice("ns-" + (i % 100), "svc-" + i + "-1", "svc-" + i, 19190,
                            List.of(Ep.ready("127.0.9.1"), Ep.ready("127.0.9.2"), Ep.ready("127.0.9.3")))).create();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
        System.out.printf("created %d Services and %d EndpointSlices in the mock API in %.1f s%n", SERVICES, SERVICES,
                (System.nanoTime() - created) / 1e9);

        long start = System.nanoTime();
        Switchboard sb = Switchboard.start(api.config(dir, "node-1").withWildcardThreshold(64));
        closeables.add(sb);
        assertThat(sb.awaitFirstSync(Duration.ofMinutes(5))).isTrue();
        double ready = (System.nanoTime() - start) / 1e9;
        assertThat(sb.table().services()).hasSize(SERVICES);
        assertThat(name(ScaleIT.vip(SERVICES - 1), PORT)).startsWith("pod-");
        System.gc();
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();

        int target = SERVICES / 2;
        long changed = System.nanoTime();
        api.client().resource(MockApi.slice("ns-" + (target % 100), "svc-" + target + "-1", "svc-" + target, 19190,
                List.of(Ep.ready("127.0.9.4")))).update();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> "pod-4".equals(name(ScaleIT.vip(target), PORT)));
        double follow = (System.nanoTime() - changed) / 1e6;
        System.out.printf("%d Services x 3 endpoints from the Kubernetes API: ready in %.1f s, heap after GC %d MiB,"
                + " one EndpointSlice change to traffic following it %.0f ms%n", SERVICES, ready, heap >> 20, follow);
    }
}
