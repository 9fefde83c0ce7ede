package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.DemoBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second instance starting beside a running one (a rolling update binds the same ports with
 * SO_REUSEPORT) must not reset the connections the kernel hands it while it starts: it publishes
 * its routing table before it binds, so every connection it accepts is routable.
 */
class StartHandoverIT {

    private static final int PORT = 18091;
    /** Bound one by one (under the wildcard threshold), so binding them all takes a while. */
    private static final int SERVICES = 400;

    private static String vip(int i) {
        return "127.0.15" + (i / 250) + "." + (i % 250 + 1);
    }

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private Switchboard start() throws Exception {
        Switchboard sb = Switchboard.start(SwitchboardConfig.defaults(dir)
                .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(2).withWildcardThreshold(1000));
        closeables.add(sb);
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        return sb;
    }

    @Test
    void aStartingInstanceResetsNoConnectionTheKernelHandsIt() throws Exception {
        closeables.add(DemoBackend.start("a", new InetSocketAddress("127.0.14.1", 19092), 1));
        List<String> services = new ArrayList<>();
        for (int i = 0; i < SERVICES; i++) {
            services.add(Manifests.service("web-" + i, vip(i), PORT) + "---\n"
                    + Manifests.slice("web-" + i, 19092, List.of("127.0.14.1")));
        }
        Manifests.write(dir, "web.yaml", services.toArray(String[]::new));
        start();

        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < 5; round++) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread load = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                for (int i = 0; !stop.get() && i < 100_000 && System.nanoTime() < deadline; i++) {
                    String vip = vip(i % SERVICES);
                    try {
                        if ("a".equals(Clients.name(vip, PORT))) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(vip + ": no answer");
                        }
                    } catch (IOException e) {
                        failures.add(vip + ": " + e);
                    }
                }
            }, "handover-load");
            load.start();
            Switchboard second = start();
            Thread.sleep(200);
            // Closing an instance still cuts what it holds (draining is another step): stop the load first.
            stop.set(true);
            load.join();
            closeables.remove(second);
            second.close();
        }
        assertThat(ok.get()).as("connections served while the second instance started").isGreaterThan(0);
        assertThat(failures).as("connections reset or refused while the second instance started").isEmpty();
    }
}
