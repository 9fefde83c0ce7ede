package io.switchboard.server;

import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.DemoBackend;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50,000 Services with three endpoints each, all on one port: they must load, serve from one wildcard
 * listener (this machine allows 20,000 open files, so a socket per Service is impossible), and take
 * one more Service without rebuilding the rest. Times are printed, not asserted; docs/benchmarks.md
 * records them.
 */
class ScaleIT {

    static final int SERVICES = 50_000;
    static final int PER_FILE = 1_000;
    static final int PORT = 18082;
    static final int TARGET = 19091;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** The cluster IP of service {@code i}: 127.64.0.0 plus i. */
    static String vip(int i) {
        int n = (64 << 16) + i + 1;
        return "127." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    static String services(int from, int to) {
        StringBuilder sb = new StringBuilder(400 * (to - from));
        for (int i = from; i < to; i++) {
            sb.append(Manifests.service("svc-" + i, vip(i), PORT)).append("---\n")
                    .append(Manifests.slice("svc-" + i, TARGET, List.of("127.0.9.1", "127.0.9.2", "127.0.9.3")))
                    .append("---\n");
        }
        return sb.toString();
    }

    @Test
    void fiftyThousandServicesLoadServeAndTakeOneMoreFromOneListener() throws Exception {
        for (int i = 1; i <= 3; i++) {
            closeables.add(DemoBackend.start("e" + i, new InetSocketAddress("127.0.9." + i, TARGET), 1));
        }
        for (int f = 0; f < SERVICES / PER_FILE; f++) {
            Manifests.write(dir, "services-" + f + ".yaml", services(f * PER_FILE, (f + 1) * PER_FILE));
        }
        long t0 = System.nanoTime();
        Switchboard sb = Switchboard.start(SwitchboardConfig.defaults(dir)
                .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(2));
        closeables.add(sb);
        assertThat(sb.awaitFirstSync(Duration.ofMinutes(3))).isTrue();
        long loaded = System.nanoTime() - t0;
        assertThat(sb.table().services()).hasSize(SERVICES);
        assertThat(sb.dataPlane().listeners()).singleElement().satisfies(l -> {
            assertThat(l.wildcard()).isTrue();
            assertThat(l.sockets()).isEqualTo(2);
        });
        assertThat(name(vip(0), PORT)).startsWith("e");
        assertThat(name(vip(SERVICES - 1), PORT)).startsWith("e");
        assertThat(name(vip(SERVICES / 2), PORT)).startsWith("e");

        System.out.printf("scale: %d services loaded and serving in %d ms%n", SERVICES, loaded / 1_000_000);
        int extra = 5;
        for (int k = 0; k < extra; k++) {
            int i = SERVICES + k;
            long t1 = System.nanoTime();
            Manifests.write(dir, "one-more-" + k + ".yaml", services(i, i + 1));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2)).ignoreExceptions()
                    .until(() -> name(vip(i), PORT).startsWith("e"));
            long added = System.nanoTime() - t1;
            System.out.printf("scale: service %d served %d ms after its file was written (that sync took %.1f ms)%n",
                    i + 1, added / 1_000_000, sb.status().lastDurationNanos() / 1e6);
            Thread.sleep(300);
        }
        assertThat(sb.table().services()).hasSize(SERVICES + extra);
    }
}
