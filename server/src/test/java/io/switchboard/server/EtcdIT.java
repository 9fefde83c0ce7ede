package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static io.switchboard.server.Clients.metric;
import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.switchboard.backend.DemoBackend;
import io.switchboard.source.etcd.EtcdSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * The etcd source against a real etcd, started and stopped by PID: manifests put, changed and deleted
 * in etcd change real traffic; etcd restarts are survived by resuming the watch; a compaction past
 * the last revision seen leads to a relist that leaves unchanged Services (and their connections)
 * alone; a broken value keeps the last good objects and its error names the key and revision.
 */
class EtcdIT {

    private static final int PORT = 15510;
    private static final int TARGET = 15520;
    private static final String PREFIX = "/switchboard/";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EtcdServer etcd;
    private Client kv;
    private Switchboard sb;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(EtcdServer.installed(), "etcd is not installed (apt install etcd-server; build-bin/test does)");
        etcd = new EtcdServer(dir).start();
        closeables.add(etcd);
        kv = Client.builder().endpoints(etcd.url()).build();
        closeables.add(kv);
        closeables.add(DemoBackend.start("a", new InetSocketAddress("127.0.8.31", TARGET), 1));
        closeables.add(DemoBackend.start("b", new InetSocketAddress("127.0.8.32", TARGET), 1));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Puts a value and returns the revision etcd gave it. */
    private long put(String key, String value) throws Exception {
        return kv.getKVClient().put(bytes(PREFIX + key), bytes(value)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    private void delete(String key) throws Exception {
        kv.getKVClient().delete(bytes(PREFIX + key)).get(10, TimeUnit.SECONDS);
    }

    private void start() throws Exception {
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2).withEtcd(null, EtcdSettings.plain(List.of(etcd.url()), PREFIX)));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    private void web(String vip, String... endpoints) throws Exception {
        put("test/Service/web", Manifests.service("web", vip, PORT));
        put("test/EndpointSlice/web-slice", Manifests.slice("web", TARGET, List.of(endpoints)));
    }

    private static String answer(String vip) {
        try {
            return String.valueOf(name(vip, PORT));
        } catch (IOException e) {
            return "refused";
        }
    }

    private double metricValue(String series) throws Exception {
        return metric(admin(sb, "/metrics").body(), series);
    }

    @Test
    void putsUpdatesAndDeletesChangeTrafficWithinASecond() throws Exception {
        web("127.0.6.60", "127.0.8.31");
        start();
        assertThat(admin(sb, "/readyz").statusCode()).isEqualTo(200);
        assertThat(answer("127.0.6.60")).isEqualTo("a");

        put("test/EndpointSlice/web-slice", Manifests.slice("web", TARGET, List.of("127.0.8.32")));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> answer("127.0.6.60").equals("b"));

        put("test/Service/api", Manifests.service("api", "127.0.6.61", PORT));
        put("test/EndpointSlice/api-slice", Manifests.slice("api", TARGET, List.of("127.0.8.31")));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> answer("127.0.6.61").equals("a"));

        delete("test/Service/web");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> answer("127.0.6.60").equals("refused"));
        assertThat(answer("127.0.6.61")).isEqualTo("a");
        assertThat(metricValue("switchboard_etcd_events_total{type=\"DELETE\"}")).isEqualTo(1.0);
        assertThat(metricValue("switchboard_etcd_lists_total")).isEqualTo(1.0);
    }

    @Test
    void aBrokenValueKeepsTheLastGoodObjectsAndItsErrorNamesTheKeyAndRevision() throws Exception {
        web("127.0.6.62", "127.0.8.31");
        start();
        assertThat(answer("127.0.6.62")).isEqualTo("a");

        long rev = put("test/EndpointSlice/web-slice", "endpoints: [unbalanced\n");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin(sb, "/api/v1/routes").body())
                .contains("etcd key /switchboard/test/EndpointSlice/web-slice (revision " + rev + ")"));
        assertThat(answer("127.0.6.62")).isEqualTo("a");

        long rev2 = put("test/Service/web", Manifests.service("web", "127.0.6.62", 0));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin(sb, "/api/v1/routes").body())
                .contains("etcd key /switchboard/test/Service/web (revision " + rev2 + ") line 12: Service test/web:"
                        + " spec.ports[0].port: must be between 1 and 65535, got 0"));
        assertThat(answer("127.0.6.62")).isEqualTo("a");

        // Fixed, it is taken up; the broken slice's error goes with its next good value.
        put("test/EndpointSlice/web-slice", Manifests.slice("web", TARGET, List.of("127.0.8.32")));
        await().atMost(Duration.ofSeconds(5)).until(() -> answer("127.0.6.62").equals("b"));
        assertThat(admin(sb, "/api/v1/routes").body()).doesNotContain("web-slice (revision");
    }

    @Test
    void anEtcdRestartIsSurvivedAndTheWatchResumesFromTheLastRevision() throws Exception {
        web("127.0.6.63", "127.0.8.31");
        start();
        assertThat(answer("127.0.6.63")).isEqualTo("a");
        etcd.stop();
        // The last state keeps serving while etcd is away.
        assertThat(answer("127.0.6.63")).isEqualTo("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> metricValue("switchboard_etcd_watch_reconnects_total") >= 1);
        etcd.start();
        long rev = put("test/EndpointSlice/web-slice", Manifests.slice("web", TARGET, List.of("127.0.8.32")));
        await().atMost(Duration.ofSeconds(10)).until(() -> answer("127.0.6.63").equals("b"));
        assertThat(metricValue("switchboard_etcd_config_revision")).isEqualTo((double) rev);
        assertThat(metricValue("switchboard_etcd_revision")).isGreaterThanOrEqualTo((double) rev);
        assertThat(metricValue("switchboard_etcd_relists_total")).isZero();
        assertThat(metricValue("switchboard_etcd_lists_total")).isEqualTo(1.0);
        assertThat(admin(sb, "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void aCompactionPastTheLastRevisionRelistsAndLeavesUnchangedServicesAlone() throws Exception {
        web("127.0.6.64", "127.0.8.31");
        put("test/Service/api", Manifests.service("api", "127.0.6.65", PORT));
        put("test/EndpointSlice/api-slice", Manifests.slice("api", TARGET, List.of("127.0.8.31")));
        put("test/Service/gone", Manifests.service("gone", "127.0.6.66", PORT));
        put("test/EndpointSlice/gone-slice", Manifests.slice("gone", TARGET, List.of("127.0.8.31")));
        start();
        assertThat(answer("127.0.6.66")).isEqualTo("a");
        try (Socket held = new Socket()) {
            // A connection to the unchanged Service, open across the relist.
            held.connect(new InetSocketAddress("127.0.6.64", PORT), 2000);
            held.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(held.getInputStream(), StandardCharsets.US_ASCII));
            held.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("a");
            assertThat(in.readLine()).isEqualTo("hello");

            // While Switchboard cannot reach it, etcd changes and compacts its history away.
            etcd.stop();
            int aside = EtcdServer.freePort();
            etcd.start(aside);
            try (Client other = Client.builder().endpoints("http://127.0.0.1:" + aside).build()) {
                other.getKVClient().put(bytes(PREFIX + "test/EndpointSlice/api-slice"),
                        bytes(Manifests.slice("api", TARGET, List.of("127.0.8.32")))).get(10, TimeUnit.SECONDS);
                other.getKVClient().delete(bytes(PREFIX + "test/Service/gone")).get(10, TimeUnit.SECONDS);
                long rev = other.getKVClient().delete(bytes(PREFIX + "test/EndpointSlice/gone-slice"))
                        .get(10, TimeUnit.SECONDS).getHeader().getRevision();
                other.getKVClient().compact(rev).get(10, TimeUnit.SECONDS);
            }
            etcd.stop();
            etcd.start();

            await().atMost(Duration.ofSeconds(15)).until(() -> metricValue("switchboard_etcd_relists_total") == 1.0);
            await().atMost(Duration.ofSeconds(5)).until(() -> answer("127.0.6.65").equals("b"));
            await().atMost(Duration.ofSeconds(5)).until(() -> answer("127.0.6.66").equals("refused"));
            assertThat(answer("127.0.6.64")).isEqualTo("a");
            // The held connection still relays: the relist left its Service as it was.
            held.getOutputStream().write("still there\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("still there");
        }
        assertThat(metricValue("switchboard_etcd_lists_total")).isEqualTo(2.0);
        assertThatThrownBy(() -> name("127.0.6.66", PORT)).isInstanceOf(IOException.class);
    }
}
