package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.DemoBackend;
import io.switchboard.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Switchboard end to end: manifests on disk, real sockets, the admin API and the CLI. */
class SwitchboardIT {

    private static final int PORT = 18081;
    private static final int TARGET = 19090;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Switchboard sb;

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** Demo backends named {@code names} on 127.0.5.1, 127.0.5.2, ... at port TARGET. */
    private List<DemoBackend> backends(String... names) throws InterruptedException {
        List<DemoBackend> out = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            DemoBackend b = DemoBackend.start(names[i], new InetSocketAddress("127.0.5." + (i + 1), TARGET), 1);
            closeables.add(b);
            out.add(b);
        }
        return out;
    }

    private static List<String> addresses(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add("127.0.5." + i);
        }
        return out;
    }

    private Switchboard start() throws Exception {
        SwitchboardConfig config = SwitchboardConfig.defaults(dir)
                .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(2);
        sb = Switchboard.start(config);
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        return sb;
    }

    @Test
    void aNodePortOnTheWildcardAddressIsServedOnEveryLocalAddress() throws Exception {
        backends("a");
        Manifests.write(dir, "np.yaml", Manifests.service("np", "127.0.6.30", PORT, """
                type: NodePort""", "").replace("    targetPort: tcp", "    targetPort: tcp\n    nodePort: 31234"),
                Manifests.slice("np", TARGET, addresses(1)));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2).withNodePortAddresses(List.of(java.net.InetAddress.getByName("0.0.0.0"))));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        assertThat(sb.status().errors()).isEmpty();
        assertThat(name("127.0.0.1", 31234)).isEqualTo("a");
        assertThat(name("127.0.33.7", 31234)).isEqualTo("a");
        assertThat(name("127.0.6.30", PORT)).as("the cluster IP still serves").isEqualTo("a");
    }

    @Test
    void roundRobinSpreads300ConnectionsExactlyEvenlyOverThreeEndpoints() throws Exception {
        backends("a", "b", "c");
        Manifests.write(dir, "web.yaml", Manifests.service("web", "127.0.6.10", PORT),
                Manifests.slice("web", TARGET, addresses(3)));
        start();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(name("127.0.6.10", PORT), 1, Integer::sum);
        }
        assertThat(counts).containsOnly(Map.entry("a", 100), Map.entry("b", 100), Map.entry("c", 100));
    }

    @Test
    void clientIpAffinityPinsSourcesAndExpiresAfterItsTimeout() throws Exception {
        backends("a", "b", "c");
        Manifests.write(dir, "sticky.yaml", Manifests.service("sticky", "127.0.6.11", PORT,
                        "sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 1}}", ""),
                Manifests.slice("sticky", TARGET, addresses(3)));
        start();
        Map<String, String> pinned = new HashMap<>();
        for (int round = 0; round < 4; round++) {
            for (int c = 2; c <= 7; c++) {
                String source = "127.0.7." + c;
                String got = name(source, "127.0.6.11", PORT);
                assertThat(pinned.computeIfAbsent(source, k -> got)).as(source).isEqualTo(got);
            }
        }
        assertThat(new java.util.HashSet<>(pinned.values())).hasSize(3);
        // Six clients placed by round robin: the next new choice goes to "a" again.
        String before = name("127.0.7.2", "127.0.6.11", PORT);
        Thread.sleep(1300);
        String other = name("127.0.7.99", "127.0.6.11", PORT);
        String after = name("127.0.7.2", "127.0.6.11", PORT);
        assertThat(other).isEqualTo("a");
        assertThat(after).as("the entry expired, so round robin placed the client anew").isEqualTo("b")
                .isNotEqualTo(before.equals("b") ? "" : null);
    }

    @Test
    void reloadRemovingAnEndpointKeepsItsOpenConnectionAndNewOnesAvoidIt() throws Exception {
        backends("a", "b");
        Manifests.write(dir, "svc.yaml", Manifests.service("drain", "127.0.6.12", PORT));
        Manifests.write(dir, "eps.yaml", Manifests.slice("drain", TARGET, addresses(2)));
        start();
        try (Socket pinned = new Socket()) {
            pinned.connect(new InetSocketAddress("127.0.6.12", PORT));
            pinned.setSoTimeout(5000);
            pinned.getOutputStream().write("one\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[6];
            readFully(pinned, buf);
            assertThat(new String(buf, StandardCharsets.US_ASCII)).isEqualTo("a\none\n");
            long changed = System.nanoTime();
            Manifests.write(dir, "eps.yaml", Manifests.slice("drain", TARGET, List.of("127.0.5.2")));
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> sb.table().services().values().iterator().next().allBackends().size() == 1);
            System.out.printf("endpoint removal applied %d ms after the file changed%n",
                    (System.nanoTime() - changed) / 1_000_000);
            for (int i = 0; i < 10; i++) {
                assertThat(name("127.0.6.12", PORT)).isEqualTo("b");
            }
            pinned.getOutputStream().write("two\n".getBytes(StandardCharsets.US_ASCII));
            byte[] more = new byte[4];
            readFully(pinned, more);
            assertThat(new String(more, StandardCharsets.US_ASCII)).isEqualTo("two\n");
        }
    }

    private static void readFully(Socket s, byte[] buf) throws IOException {
        int off = 0;
        while (off < buf.length) {
            int n = s.getInputStream().read(buf, off, buf.length - off);
            if (n < 0) {
                throw new IOException("closed after " + off + " bytes");
            }
            off += n;
        }
    }

    @Test
    void aKilledEndpointCostsNoClientConnection() throws Exception {
        List<DemoBackend> bs = backends("a", "b", "c");
        Manifests.write(dir, "svc.yaml", Manifests.service("retry", "127.0.6.13", PORT),
                Manifests.slice("retry", TARGET, addresses(3)));
        start();
        bs.get(1).close();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            counts.merge(name("127.0.6.13", PORT), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "c");
        assertThat(admin(sb, "/metrics").body())
                .contains("switchboard_service_rejected_connections_total{port=\"tcp\",protocol=\"TCP\",service=\"test/retry\"} 0.0")
                .contains("switchboard_service_retries_total{port=\"tcp\",protocol=\"TCP\",service=\"test/retry\"} 1.0");
    }

    @Test
    void aServiceWithNoEndpointsRejectsAtOnce() throws Exception {
        Manifests.write(dir, "svc.yaml", Manifests.service("empty", "127.0.6.14", PORT),
                Manifests.slice("empty", TARGET, List.of()));
        start();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> name("127.0.6.14", PORT)).isInstanceOf(SocketException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(admin(sb, "/metrics").body()).contains(
                "switchboard_service_rejected_connections_total{port=\"tcp\",protocol=\"TCP\",service=\"test/empty\"} 1.0");
    }

    @Test
    void anInvalidFileLeavesTheRunningConfigServing() throws Exception {
        backends("a", "b");
        Manifests.write(dir, "svc.yaml", Manifests.service("keep", "127.0.6.15", PORT));
        Manifests.write(dir, "eps.yaml", Manifests.slice("keep", TARGET, addresses(2)));
        start();
        assertThat(name("127.0.6.15", PORT)).isEqualTo("a");
        // A syntax error in the endpoints and an out-of-range port in the Service.
        Manifests.write(dir, "eps.yaml", "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: [oops\n");
        Manifests.write(dir, "svc.yaml", Manifests.service("keep", "127.0.6.15", 99999));
        await().atMost(Duration.ofSeconds(5)).until(() -> sb.status().errors().size() == 2);
        assertThat(sb.status().errors()).extracting(Object::toString).anySatisfy(e ->
                assertThat(e).startsWith(dir.resolve("svc.yaml") + ":12: Service test/keep: spec.ports[0].port:"));
        assertThat(name("127.0.6.15", PORT)).isEqualTo("b");
        assertThat(name("127.0.6.15", PORT)).isEqualTo("a");
        assertThat(admin(sb, "/metrics").body()).contains("switchboard_config_errors 2.0");
        // Fixing the files applies them.
        Manifests.write(dir, "eps.yaml", Manifests.slice("keep", TARGET, List.of("127.0.5.2")));
        Manifests.write(dir, "svc.yaml", Manifests.service("keep", "127.0.6.15", PORT));
        await().atMost(Duration.ofSeconds(5)).until(() -> sb.status().errors().isEmpty());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(name("127.0.6.15", PORT)).isEqualTo("b"));
        assertThat(name("127.0.6.15", PORT)).isEqualTo("b");
    }

    @Test
    void aNewServiceIsServedWithinASecondAndARemovedOneStopsAccepting() throws Exception {
        backends("a");
        Manifests.write(dir, "one.yaml", Manifests.service("one", "127.0.6.16", PORT),
                Manifests.slice("one", TARGET, addresses(1)));
        start();
        long t0 = System.nanoTime();
        Manifests.write(dir, "two.yaml", Manifests.service("two", "127.0.6.17", PORT),
                Manifests.slice("two", TARGET, addresses(1)));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                .until(() -> "a".equals(name("127.0.6.17", PORT)));
        System.out.printf("new service served %d ms after its file appeared%n", (System.nanoTime() - t0) / 1_000_000);
        java.nio.file.Files.delete(dir.resolve("two.yaml"));
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() ->
                assertThatThrownBy(() -> name("127.0.6.17", PORT)).isInstanceOf(java.net.ConnectException.class));
        assertThat(name("127.0.6.16", PORT)).isEqualTo("a");
    }

    @Test
    void activeHealthChecksTakeADeadEndpointOutOfRotation() throws Exception {
        List<DemoBackend> bs = backends("a", "b");
        Manifests.write(dir, "svc.yaml", Manifests.service("checked", "127.0.6.18", PORT, "",
                        "switchboard.io/health-check: tcp, switchboard.io/health-check-interval: 100ms,"
                                + " switchboard.io/health-check-fall: 2, switchboard.io/health-check-rise: 1"),
                Manifests.slice("checked", TARGET, addresses(2)));
        start();
        bs.get(0).close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin(sb, "/api/v1/routes").body())
                .contains("\"state\" : \"down(check)\""));
        for (int i = 0; i < 10; i++) {
            assertThat(name("127.0.6.18", PORT)).isEqualTo("b");
        }
        assertThat(admin(sb, "/metrics").body()).contains(
                "switchboard_service_retries_total{port=\"tcp\",protocol=\"TCP\",service=\"test/checked\"} 0.0");
        closeables.add(DemoBackend.start("a2", new InetSocketAddress("127.0.5.1", TARGET), 1));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin(sb, "/api/v1/routes").body())
                .doesNotContain("down(check)"));
    }

    @Test
    void adminServesHealthReadinessMetricsAndTheCliListsTheTable() throws Exception {
        backends("a", "b");
        Manifests.write(dir, "web.yaml", Manifests.service("web", "127.0.6.19", PORT, "",
                        "switchboard.io/scheduler: wlc, switchboard.io/endpoint-weights: \"127.0.5.1=3\""),
                Manifests.slice("web", TARGET, addresses(2)));
        start();
        assertThat(name("127.0.6.19", PORT)).isEqualTo("a");
        assertThat(admin(sb, "/healthz").statusCode()).isEqualTo(200);
        assertThat(admin(sb, "/readyz").body()).isEqualTo("ready\n");
        String metrics = admin(sb, "/metrics").body();
        assertThat(metrics).contains("switchboard_endpoint_connections_total{endpoint=\"127.0.5.1:" + TARGET
                + "\",port=\"tcp\",protocol=\"TCP\",service=\"test/web\"} 1.0");
        assertThat(metrics).contains("switchboard_endpoint_bytes_total{direction=\"to_endpoint\",endpoint=\"127.0.5.1:"
                + TARGET + "\",port=\"tcp\",protocol=\"TCP\",service=\"test/web\"} 6.0");
        assertThat(metrics).contains("switchboard_sync_duration_seconds_count");
        assertThat(Clients.metric(metrics, "switchboard_client_connections_max"))
                .as("derived from the open-file limit").isPositive();
        assertThat(metrics).contains("switchboard_client_connections ").contains("switchboard_accept_pauses_total 0.0");
        assertThat(admin(sb, "/nope").statusCode()).isEqualTo(404);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = Main.commandLine().execute("list", "--admin",
                    "127.0.0.1:" + sb.adminAddress().getPort());
        } finally {
            System.setOut(original);
        }
        assertThat(code).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("TCP  127.0.6.19:" + PORT + " wlc (cluster-ip test/web:tcp)")
                .containsPattern("-> 127\\.0\\.5\\.1:" + TARGET + " +3 +0 +0 +up")
                .containsPattern("-> 127\\.0\\.5\\.2:" + TARGET + " +1 +0 +0 +up");
    }

    @Test
    void validateReportsErrorsAndExitsNonZero() throws Exception {
        Manifests.write(dir, "bad.yaml", Manifests.service("bad", "127.0.6.20", 0));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = Main.commandLine().execute("validate", dir.toString());
        } finally {
            System.setErr(original);
        }
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: " + dir.resolve("bad.yaml")
                + ":12: Service test/bad: spec.ports[0].port: must be between 1 and 65535, got 0");
        Manifests.write(dir, "bad.yaml", Manifests.service("bad", "127.0.6.20", 80));
        assertThat(Main.commandLine().execute("validate", dir.toString())).isZero();
    }
    @Test
    void connectionsToARemovedEndpointStayCountedUntilTheyEnd() throws Exception {
        backends("a", "b");
        Manifests.write(dir, "gone.yaml", Manifests.service("gone", "127.0.6.40", PORT),
                Manifests.slice("gone", TARGET, List.of("127.0.5.1")));
        start();
        String series = "switchboard_endpoint_connections_active{endpoint=\"127.0.5.1:" + TARGET
                + "\",port=\"tcp\",protocol=\"TCP\",service=\"test/gone\"}";
        String service = "switchboard_service_connections_active{port=\"tcp\",protocol=\"TCP\",service=\"test/gone\"}";
        try (java.net.Socket held = new java.net.Socket()) {
            held.connect(new InetSocketAddress("127.0.6.40", PORT), 2000);
            held.setSoTimeout(5000);
            held.getOutputStream().write("hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(held.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine()).isEqualTo("a");
            // The endpoint leaves the Service while the connection goes on.
            Manifests.write(dir, "gone.yaml", Manifests.service("gone", "127.0.6.40", PORT),
                    Manifests.slice("gone", TARGET, List.of("127.0.5.2")));
            await().atMost(Duration.ofSeconds(10)).until(() -> admin(sb, "/api/v1/routes").body()
                    .contains("127.0.5.2:" + TARGET));
            String metrics = admin(sb, "/metrics").body();
            assertThat(Clients.metric(metrics, series)).isEqualTo(1.0);
            assertThat(Clients.metric(metrics, service)).isEqualTo(1.0);
            assertThat(admin(sb, "/api/v1/routes").body()).contains("\"state\" : \"removed\"");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Double.isNaN(Clients.metric(admin(sb, "/metrics").body(),
                series)));
        assertThat(Clients.metric(admin(sb, "/metrics").body(), service)).isZero();
    }

    @Test
    void anEndpointHeldDownByFailuresIsBackAsSoonAsAHealthCheckReachesIt() throws Exception {
        List<DemoBackend> bs = backends("a", "b");
        Manifests.write(dir, "svc.yaml", Manifests.service("back", "127.0.6.41", PORT, "",
                        "switchboard.io/health-check: tcp, switchboard.io/health-check-interval: 200ms,"
                                + " switchboard.io/health-check-fall: 50, switchboard.io/down-backoff: 60s"),
                Manifests.slice("back", TARGET, addresses(2)));
        start();
        bs.get(0).close();
        // Connects to the dead endpoint fail and hold it down for a minute; b takes every connection.
        for (int i = 0; i < 4; i++) {
            assertThat(name("127.0.6.41", PORT)).isEqualTo("b");
        }
        assertThat(admin(sb, "/api/v1/routes").body()).contains("\"state\" : \"down(connect)\"");
        closeables.add(DemoBackend.start("a2", new InetSocketAddress("127.0.5.1", TARGET), 1));
        // The next health check reaches it: back in rotation long before the back-off would end.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 4; i++) {
                seen.add(name("127.0.6.41", PORT));
            }
            return seen.contains("a2");
        });
    }

    @Test
    void withoutHealthChecksAnEndpointHeldDownByFailedConnectsIsBackAsSoonAsAProbeConnects() throws Exception {
        List<DemoBackend> bs = backends("a", "b");
        Manifests.write(dir, "svc.yaml", Manifests.service("probed", "127.0.6.42", PORT, "",
                        "switchboard.io/down-backoff: 60s"),
                Manifests.slice("probed", TARGET, addresses(2)));
        start();
        bs.get(0).close();
        for (int i = 0; i < 4; i++) {
            assertThat(name("127.0.6.42", PORT)).isEqualTo("b");
        }
        assertThat(admin(sb, "/api/v1/routes").body()).contains("\"state\" : \"down(connect)\"");
        closeables.add(DemoBackend.start("a2", new InetSocketAddress("127.0.5.1", TARGET), 1));
        // A probe connects within a second or two: back long before the minute of back-off ends.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 4; i++) {
                seen.add(name("127.0.6.42", PORT));
            }
            return seen.contains("a2");
        });
        assertThat(Clients.metric(admin(sb, "/metrics").body(), "switchboard_endpoint_probe_recoveries_total{endpoint=\"127.0.5.1:"
                + TARGET + "\",port=\"tcp\",protocol=\"TCP\",service=\"test/probed\"}")).isEqualTo(1.0);
    }

    @Test
    void theOlderOfTwoServicesClaimingOneAddressServesItAndTheRoutesViewNamesTheConflict() throws Exception {
        backends("a", "b");
        Manifests.write(dir, "young.yaml", aged(Manifests.service("young", "127.0.6.42", PORT), "2026-03-01T00:00:00Z"),
                Manifests.slice("young", TARGET, List.of("127.0.5.1")));
        start();
        assertThat(name("127.0.6.42", PORT)).isEqualTo("a");
        Manifests.write(dir, "old.yaml", aged(Manifests.service("old", "127.0.6.42", PORT), "2026-01-01T00:00:00Z"),
                Manifests.slice("old", TARGET, List.of("127.0.5.2")));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(name("127.0.6.42", PORT)).isEqualTo("b"));
        com.fasterxml.jackson.databind.JsonNode conflicts = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(admin(sb, "/api/v1/routes").body()).get("conflicts");
        assertThat(conflicts).hasSize(1);
        assertThat(conflicts.get(0).get("address").asText()).isEqualTo("127.0.6.42:" + PORT + "/TCP");
        assertThat(conflicts.get(0).get("holder").asText()).isEqualTo("Service test/old");
        assertThat(conflicts.get(0).get("refused").asText()).isEqualTo("Service test/young");
        assertThat(conflicts.get(0).get("rule").asText()).isEqualTo("created first");
        assertThat(conflicts.get(0).get("origin").asText()).isEqualTo(dir.resolve("young.yaml") + ":13");
        java.nio.file.Files.delete(dir.resolve("old.yaml"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(name("127.0.6.42", PORT)).isEqualTo("a"));
        assertThat(admin(sb, "/api/v1/routes").body()).contains("\"conflicts\" : [ ]");
    }

    private static String aged(String manifest, String created) {
        return manifest.replace("  namespace: test\n", "  namespace: test\n  creationTimestamp: \"" + created + "\"\n");
    }
}
