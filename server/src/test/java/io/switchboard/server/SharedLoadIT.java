package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static io.switchboard.server.Clients.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.switchboard.admin.AdminServer;
import io.switchboard.backend.DemoBackend;
import io.switchboard.source.etcd.EtcdSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared load through a real etcd: two instances serve the same least-connection Services, each on
 * its own node-port address (so a test can choose the instance). Connections held through one make
 * the other avoid their endpoint when the Service is annotated {@code switchboard.io/shared-load},
 * and not otherwise; the counts go when the holder closes or stops, and with etcd gone each
 * instance balances on its own counts and says so.
 */
class SharedLoadIT {

    private static final int TARGET = 15720;
    private static final String PREFIX = EtcdSettings.DEFAULT_PREFIX;
    private static final String A = "127.0.0.61";
    private static final String B = "127.0.0.62";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Socket> held = new ArrayList<>();
    private EtcdServer etcd;
    private Client kv;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(EtcdServer.installed(), "etcd is not installed (apt install etcd-server; build-bin/test does)");
        etcd = closing(new EtcdServer(dir).start());
        kv = closing(Client.builder().endpoints(etcd.url()).build());
        closing(DemoBackend.start("e1", new InetSocketAddress("127.0.8.51", TARGET), 1));
        closing(DemoBackend.start("e2", new InetSocketAddress("127.0.8.52", TARGET), 1));
        service("shared", "127.0.6.90", 31001, "switchboard.io/scheduler: lc, switchboard.io/shared-load: \"true\"");
        service("local", "127.0.6.91", 31002, "switchboard.io/scheduler: lc");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : held) {
            s.close();
        }
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

    private void service(String name, String vip, int nodePort, String annotations) throws Exception {
        service(name, vip, nodePort, annotations, "");
    }

    private void service(String name, String vip, int nodePort, String annotations, String appProtocol)
            throws Exception {
        String svc = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: test
                  annotations: {%s}
                spec:
                  type: NodePort
                  clusterIP: %s
                  ports: [{name: tcp, port: 80, targetPort: %d, nodePort: %d%s}]
                """.formatted(name, annotations, vip, TARGET, nodePort,
                appProtocol.isEmpty() ? "" : ", appProtocol: " + appProtocol);
        kv.getKVClient().put(bytes(PREFIX + "test/Service/" + name), bytes(svc)).get(10, TimeUnit.SECONDS);
        kv.getKVClient().put(bytes(PREFIX + "test/EndpointSlice/" + name), bytes(Manifests.slice(name, TARGET,
                List.of("127.0.8.51", "127.0.8.52")))).get(10, TimeUnit.SECONDS);
    }

    private Switchboard instance(String node, String nodePortAddress) throws Exception {
        Switchboard sb = closing(Switchboard.start(SwitchboardConfig.defaults(dir)
                .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(1).withNodeName(node)
                .withNodePortAddresses(List.of(InetAddress.getByName(nodePortAddress)))
                .withEtcd(null, EtcdSettings.plain(List.of(etcd.url()), PREFIX).withFleet(3, 100))));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        return sb;
    }

    /** Opens a connection through the node port of {@code via} and keeps it; returns the endpoint's name. */
    private String hold(String via, int nodePort) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(via, nodePort), 2000);
        s.setSoTimeout(5000);
        held.add(s);
        s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    /** The remote count {@code sb} holds for an endpoint of a Service. */
    private static int remote(Switchboard sb, String service, String endpoint) throws Exception {
        JsonNode routes = AdminServer.JSON.readTree(admin(sb, "/api/v1/routes").body()).path("routes");
        for (JsonNode r : routes) {
            if (r.path("service").asText().equals("test/" + service) && r.path("kind").asText().equals("node-port")) {
                for (JsonNode e : r.path("endpoints")) {
                    if (e.path("address").asText().equals(endpoint)) {
                        return e.path("remoteActive").asInt();
                    }
                }
            }
        }
        return -1;
    }

    @Test
    void connectionsHeldThroughOneInstanceSteerTheOthersLeastConnectionPicksOnlyWhenShared() throws Exception {
        Switchboard a = instance("node-a", A);
        Switchboard b = instance("node-b", B);
        // Through A: one long connection to each Service; least connection takes the first endpoint.
        assertThat(hold(A, 31001)).isEqualTo("e1");
        assertThat(hold(A, 31002)).isEqualTo("e1");
        await().atMost(Duration.ofSeconds(5)).until(() -> remote(b, "shared", "127.0.8.51:" + TARGET) == 1);
        assertThat(remote(b, "local", "127.0.8.51:" + TARGET)).isZero();

        // Through B: the shared Service avoids A's endpoint; the other cannot know of it.
        assertThat(hold(B, 31001)).isEqualTo("e2");
        assertThat(hold(B, 31002)).isEqualTo("e1");
        await().atMost(Duration.ofSeconds(5)).until(() -> remote(a, "shared", "127.0.8.52:" + TARGET) == 1);

        // A closes its connections: B's view of e1 empties.
        held.get(0).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> remote(b, "shared", "127.0.8.51:" + TARGET) == 0);
        assertThat(hold(B, 31001)).isEqualTo("e1");

        // Publishing is batched: at most one transaction per interval, writing only what changed.
        double transactions = metric(admin(a, "/metrics").body(), "switchboard_shared_load_transactions_total");
        Thread.sleep(1000);
        assertThat(metric(admin(a, "/metrics").body(), "switchboard_shared_load_transactions_total") - transactions)
                .as("no change, no write").isZero();
        assertThat(metric(admin(a, "/metrics").body(), "switchboard_shared_load_connected")).isEqualTo(1.0);

        // A stops: its lease goes, and with it the load it published.
        assertThat(hold(A, 31001)).isEqualTo("e1");
        await().atMost(Duration.ofSeconds(5)).until(() -> remote(b, "shared", "127.0.8.51:" + TARGET) == 1);
        a.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> remote(b, "shared", "127.0.8.51:" + TARGET) == 0);
        var left = kv.getKVClient().get(bytes(PREFIX + EtcdSettings.LOAD + "node-a"), GetOption.builder()
                .isPrefix(true).build()).get(10, TimeUnit.SECONDS);
        assertThat(left.getKvs()).isEmpty();
    }

    /** Sends a GET on a new connection through {@code via}; returns the X-Backend of the answer. */
    private String get(String via, int nodePort, String path, boolean keepOpen) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(via, nodePort), 2000);
        s.setSoTimeout(10000);
        held.add(s);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        if (keepOpen) {
            return null;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("x-backend:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return null;
    }

    @Test
    void onAnHttpPortRequestsInFlightAreWhatIsShared() throws Exception {
        service("web", "127.0.6.92", 31003, "switchboard.io/scheduler: lc, switchboard.io/shared-load: \"true\"",
                "http");
        Switchboard a = instance("node-a", A);
        Switchboard b = instance("node-b", B);
        // A request held in flight through A (the endpoint answers after 4 s).
        get(A, 31003, "/delay/4000", true);
        await().atMost(Duration.ofSeconds(5)).until(() -> remote(b, "web", "127.0.8.51:" + TARGET) == 1);
        assertThat(get(B, 31003, "/", false)).isEqualTo("e2");
        // Answered, it is no longer in flight anywhere.
        await().atMost(Duration.ofSeconds(10)).until(() -> remote(b, "web", "127.0.8.51:" + TARGET) == 0);
        assertThat(remote(a, "web", "127.0.8.52:" + TARGET)).isZero();
    }

    @Test
    void withEtcdGoneEachInstanceBalancesOnItsOwnCountsAndSaysSo() throws Exception {
        Switchboard a = instance("node-a", A);
        Switchboard b = instance("node-b", B);
        assertThat(hold(A, 31001)).isEqualTo("e1");
        await().atMost(Duration.ofSeconds(5)).until(() -> remote(b, "shared", "127.0.8.51:" + TARGET) == 1);
        etcd.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(admin(b, "/metrics").body(),
                "switchboard_shared_load_connected") == 0.0);
        assertThat(remote(b, "shared", "127.0.8.51:" + TARGET)).isZero();
        // Traffic never waits on etcd.
        assertThat(hold(B, 31001)).isEqualTo("e1");
        assertThat(hold(A, 31001)).isEqualTo("e2");
        etcd.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> metric(admin(b, "/metrics").body(),
                "switchboard_shared_load_connected") == 1.0);
        // Back in touch, each sees the other's connections again: A holds e1 and e2, B holds e1.
        await().atMost(Duration.ofSeconds(10)).until(() -> remote(b, "shared", "127.0.8.52:" + TARGET) == 1
                && remote(a, "shared", "127.0.8.51:" + TARGET) == 1);
    }
}
