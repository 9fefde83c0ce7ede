package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static io.switchboard.server.Clients.metric;
import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.switchboard.backend.DemoBackend;
import io.switchboard.cli.Main;
import io.switchboard.source.etcd.EtcdSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A fleet of Switchboards on one etcd. Three instances run as three nodes would, each in a network
 * namespace of its own joined to etcd and to the endpoints by a veth pair, each serving the Service
 * address inside its namespace; {@code fleet list} shows them, a change converges on all three,
 * and one killed with SIGKILL leaves the list when its lease expires. Two instances in one namespace
 * on different admin addresses share a loopback VIP and both serve it.
 */
class FleetIT {

    private static final int TARGET = 15620;
    private static final int ADMIN = 19941;
    private static final String PREFIX = EtcdSettings.DEFAULT_PREFIX;
    private static final long TTL = 3;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EtcdServer etcd;
    private Client kv;

    @BeforeEach
    void setUp() {
        assumeTrue(EtcdServer.installed(), "etcd is not installed (apt install etcd-server; build-bin/test does)");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private long put(String key, String value) throws Exception {
        return kv.getKVClient().put(bytes(PREFIX + key), bytes(value)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    private String fleetList() {
        StringWriter o = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(o, true));
        assertThat(cl.execute("fleet", "list", "--etcd", etcd.url())).as(o.toString()).isZero();
        return o.toString();
    }

    private Process instance(NetNs ns, String node) throws IOException {
        Process p = ns.start(dir.resolve(node + ".log"), "java", "-Xmx160m", "-jar",
                Path.of("target/switchboard.jar").toAbsolutePath().toString(), "run",
                "--etcd", "http://" + ns.hostAddress + ":" + etcd.clientPort, "--fleet-ttl", Long.toString(TTL),
                "--node-name", node, "--admin", ns.nsAddress + ":" + ADMIN, "--workers", "1",
                "--service-cidr", "10.96.0.0/12", "--drain-timeout", "1s");
        closeables.add(() -> {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        });
        return p;
    }

    private static boolean ready(NetNs ns) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                    + ns.nsAddress + ":" + ADMIN + "/readyz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What answers the Service inside {@code ns} (a connection from the node itself). */
    private static String answerIn(NetNs ns) {
        try {
            return ns.inside("curl", "-s", "--max-time", "3", "http://10.96.5.5:80/").trim();
        } catch (IOException e) {
            return "none";
        }
    }

    @Test
    void fleetListShowsEachNodeAChangeConvergesAndAKilledOneLeavesWithItsLease() throws Exception {
        String why = NetNs.unavailable();
        assumeTrue(why == null, why);
        List<NetNs> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            NetNs ns = closing(new NetNs("10.235." + i));
            // The node reaches etcd and every endpoint (all on this side) through its veth.
            ns.inside("ip", "route", "add", "default", "via", ns.hostAddress);
            nodes.add(ns);
        }
        etcd = closing(new EtcdServer(dir));
        etcd.start(etcd.clientPort, nodes.stream().map(n -> n.hostAddress).toList());
        kv = closing(Client.builder().endpoints(etcd.url()).build());
        for (int i = 0; i < 3; i++) {
            closing(DemoBackend.start("ep-" + (i + 1), new InetSocketAddress(nodes.get(i).hostAddress, TARGET), 1));
        }
        put("shop/Service/web", """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  clusterIP: 10.96.5.5
                  ports: [{port: 80, targetPort: %d}]
                """.formatted(TARGET));
        put("shop/EndpointSlice/web-1", Manifests.slice("web", TARGET, nodes.stream().map(n -> n.hostAddress).toList())
                .replace("namespace: test", "namespace: shop").replace("name: tcp\n", "").replace("- name: tcp", "-"));
        List<Process> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            instances.add(instance(nodes.get(i), "node-" + (i + 1)));
        }
        for (int i = 0; i < 3; i++) {
            NetNs ns = nodes.get(i);
            Process p = instances.get(i);
            await().atMost(Duration.ofSeconds(40)).until(() -> {
                assertThat(p.isAlive()).as("node-%d exited; see %s", nodes.indexOf(ns) + 1, dir).isTrue();
                return ready(ns);
            });
        }
        for (NetNs ns : nodes) {
            assertThat(answerIn(ns)).startsWith("ep-");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fleetList())
                .contains("node-1", "node-2", "node-3").contains("3 instances, 3 caught up"));

        // A change: one endpoint only. Every node converges, and the list says so.
        long rev = put("shop/EndpointSlice/web-1", Manifests.slice("web", TARGET, List.of(nodes.get(0).hostAddress))
                .replace("namespace: test", "namespace: shop").replace("- name: tcp", "-"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fleetList())
                .contains("3 instances, 3 caught up with config revision " + rev));
        for (NetNs ns : nodes) {
            assertThat(answerIn(ns)).isEqualTo("ep-1");
        }

        // Killed without a chance to say goodbye: its entry goes when the lease expires.
        instances.get(2).destroyForcibly();
        assertThat(instances.get(2).waitFor(10, TimeUnit.SECONDS)).isTrue();
        long killed = System.nanoTime();
        await().atMost(Duration.ofSeconds(TTL + 5)).pollInterval(Duration.ofMillis(200))
                .until(() -> !fleetList().contains("node-3"));
        long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertThat(fleetList()).contains("node-1", "node-2").contains("2 instances, 2 caught up");
        Files.writeString(dir.resolve("lease-expiry-ms"), Long.toString(gone));

        // A clean stop revokes the lease: gone at once.
        instances.get(1).destroy();
        assertThat(instances.get(1).waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(fleetList()).contains("node-1").doesNotContain("node-2").contains("1 instances");
    }

    @Test
    void twoInstancesOnDifferentAdminAddressesShareALoopbackVipAndBothServeIt() throws Exception {
        etcd = closing(new EtcdServer(dir).start());
        kv = closing(Client.builder().endpoints(etcd.url()).build());
        closing(DemoBackend.start("a", new InetSocketAddress("127.0.8.41", TARGET), 1));
        put("test/Service/shared", Manifests.service("shared", "127.0.6.80", 15610));
        put("test/EndpointSlice/shared", Manifests.slice("shared", TARGET, List.of("127.0.8.41")));
        List<Switchboard> pair = new ArrayList<>();
        for (String node : List.of("left", "right")) {
            Switchboard sb = closing(Switchboard.start(SwitchboardConfig.defaults(dir)
                    .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(1).withNodeName(node)
                    .withEtcd(null, EtcdSettings.plain(List.of(etcd.url()), PREFIX).withFleet(TTL, 500))));
            assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
            pair.add(sb);
        }
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            answers.add(String.valueOf(name("127.0.6.80", 15610)));
        }
        assertThat(answers).containsExactly("a");
        for (Switchboard sb : pair) {
            // SO_REUSEPORT spreads connections over both: each served some of the 40.
            double served = metric(admin(sb, "/metrics").body(),
                    "switchboard_service_connections_total{port=\"tcp\",protocol=\"TCP\",service=\"test/shared\"}");
            assertThat(served).as(sb.config().nodeName()).isGreaterThan(0);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fleetList())
                .contains("left", "right").contains("2 instances, 2 caught up"));
    }
}
