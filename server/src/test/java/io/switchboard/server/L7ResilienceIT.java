package io.switchboard.server;

import static io.switchboard.server.L7BalancingIT.PORT;
import static io.switchboard.server.L7BalancingIT.TARGET;
import static io.switchboard.server.L7BalancingIT.httpService;
import static io.switchboard.server.L7BalancingIT.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.DemoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one failing endpoint costs HTTP clients (issue 11, cases 6 and 7): killing one of three under
 * load fails no GET, every endpoint failing is no retry storm, and a request that runs out of
 * endpoints by timing out is a 504 whatever its method.
 */
class L7ResilienceIT {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Switchboard sb;

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private void start(String vip, String annotations, List<String> endpoints) throws Exception {
        Manifests.write(dir, "svc.yaml", httpService("web", vip, "http", annotations), slice("web", endpoints));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    @Test
    void killingOneOfThreeEndpointsUnderLoadFailsNoGet() throws Exception {
        List<DemoBackend> backends = new ArrayList<>();
        List<String> addresses = List.of("127.0.15.1", "127.0.15.2", "127.0.15.3");
        for (int i = 0; i < 3; i++) {
            DemoBackend b = DemoBackend.start("e" + i, new InetSocketAddress(addresses.get(i), TARGET), 1);
            closeables.add(b);
            backends.add(b);
        }
        start("127.0.13.30", "", addresses);
        int clients = 20;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        AtomicInteger ok = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                int n = 0;
                RawHttp conn = null;
                while (System.nanoTime() < end && n++ < 10_000) {
                    try {
                        if (conn == null) {
                            conn = new RawHttp("127.0.13.30", PORT);
                        }
                        // Each request is in flight for 20 ms, so the kill finds many of them.
                        RawHttp.Response r = conn.get("/delay/20");
                        if (r.status() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.merge("status " + r.status(), 1, Integer::sum);
                        }
                    } catch (IOException e) {
                        failures.merge(String.valueOf(e.getMessage()), 1, Integer::sum);
                        conn = null;
                    }
                }
            });
        }
        Thread.sleep(1500);
        backends.get(1).close();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ok.get()).isGreaterThan(500);
        assertThat(failures).as("failed GETs out of %d", ok.get()).isEmpty();
    }

    /** Endpoints that read a request and close the connection without answering; counts the requests. */
    private AtomicInteger slammers(List<String> addresses) throws IOException {
        AtomicInteger requests = new AtomicInteger();
        for (String a : addresses) {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(a, TARGET), 200);
            closeables.add(server);
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[4096];
                        if (in.read(buf) > 0) {
                            requests.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // Closed by the test, or the proxy went away first: either way, next.
                    }
                }
            }, "slammer-" + a);
            t.setDaemon(true);
            t.start();
        }
        return requests;
    }

    @Test
    void whenEveryEndpointFailsRetriesStayWithinTheBudget() throws Exception {
        List<String> addresses = List.of("127.0.15.11", "127.0.15.12", "127.0.15.13");
        AtomicInteger attempts = slammers(addresses);
        // Outlier ejection off, so every request really asks to be retried.
        start("127.0.13.31", "switchboard.io/outlier-consecutive-errors: \"1000\"", addresses);
        int requests = 600;
        AtomicInteger bad = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        AtomicInteger left = new AtomicInteger(requests);
        for (int c = 0; c < 10; c++) {
            pool.execute(() -> {
                while (left.getAndDecrement() > 0) {
                    try (RawHttp conn = new RawHttp("127.0.13.31", PORT)) {
                        if (conn.get("/").status() == 502) {
                            bad.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.get()).isEqualTo(requests);
        // Each request may earn a fifth of a retry, plus a reserve of 10 a second over 10 s. Without a
        // budget, each of them would have tried all three endpoints (1,800 attempts).
        assertThat(attempts.get()).isLessThanOrEqualTo(requests + requests / 5 + 10 * 10 + 10 * 10);
        assertThat(attempts.get()).isGreaterThan(requests);
    }

    @Test
    void aRequestThatRunsOutOfEndpointsByTimingOutIs504WhateverItsMethod() throws Exception {
        ServerSocket silent = new ServerSocket();
        silent.bind(new InetSocketAddress("127.0.15.21", TARGET), 50);
        closeables.add(silent);
        start("127.0.13.32", "switchboard.io/http-try-timeout: 300ms", List.of("127.0.15.21"));
        try (RawHttp c = new RawHttp("127.0.13.32", PORT)) {
            assertThat(c.get("/").status()).as("GET, retried, then no endpoint left").isEqualTo(504);
        }
        try (RawHttp c = new RawHttp("127.0.13.32", PORT)) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi").read(false);
            assertThat(r.status()).as("POST, not retried").isEqualTo(504);
        }
    }

    @Test
    void aRequestEndedByItsDeadlineLeavesNoRequestInFlightOnItsEndpoint() throws Exception {
        // Accepts (the kernel completes the handshake) and never answers: only the deadline ends it.
        ServerSocket silent = new ServerSocket();
        silent.bind(new InetSocketAddress("127.0.15.22", TARGET), 50);
        closeables.add(silent);
        start("127.0.13.33", "switchboard.io/http-request-timeout: 300ms", List.of("127.0.15.22"));
        for (int i = 0; i < 3; i++) {
            try (RawHttp c = new RawHttp("127.0.13.33", PORT)) {
                assertThat(c.get("/").status()).as("request %d, past its deadline", i).isEqualTo(504);
            }
        }
        String line = Clients.admin(sb, "/metrics").body().lines()
                .filter(l -> l.startsWith("switchboard_endpoint_requests_in_flight{") && l.contains("127.0.15.22:"))
                .findFirst().orElseThrow(() -> new AssertionError("no in-flight gauge for the endpoint"));
        assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .as("requests the endpoint still counts in flight: %s", line).isZero();
    }
}
