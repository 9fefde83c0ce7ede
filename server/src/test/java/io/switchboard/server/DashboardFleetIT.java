package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.switchboard.admin.AdminServer;
import io.switchboard.source.etcd.EtcdSettings;
import java.net.InetSocketAddress;
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
 * The fleet on the dashboard: two instances on one etcd prefix each list both members (the roster
 * {@code switchboard fleet list} reads) in {@code /api/v1/status} and on the page, and a stopped one
 * leaves the list.
 */
class DashboardFleetIT {

    private static final String PREFIX = EtcdSettings.DEFAULT_PREFIX;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

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

    private static JsonNode fleet(Switchboard sb) throws Exception {
        return AdminServer.JSON.readTree(Clients.admin(sb, "/api/v1/status").body()).path("fleet");
    }

    private static List<String> nodes(JsonNode fleet) {
        List<String> out = new ArrayList<>();
        fleet.forEach(m -> out.add(m.path("node").asText()));
        return out;
    }

    @Test
    void bothInstancesListTheFleetAndAStoppedOneLeavesIt() throws Exception {
        EtcdServer etcd = new EtcdServer(dir).start();
        closeables.add(etcd);
        try (Client kv = Client.builder().endpoints(etcd.url()).build()) {
            kv.getKVClient().put(ByteSequence.from(PREFIX + "test/Service/web", StandardCharsets.UTF_8),
                    ByteSequence.from(Manifests.service("web", "127.0.55.1", 18471), StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS);
        }
        List<Switchboard> pair = new ArrayList<>();
        for (String node : List.of("left", "right")) {
            Switchboard sb = Switchboard.start(SwitchboardConfig.defaults(dir)
                    .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(1).withNodeName(node)
                    .withEtcd(null, EtcdSettings.plain(List.of(etcd.url()), PREFIX).withFleet(3, 500)));
            closeables.add(sb);
            assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
            pair.add(sb);
        }
        for (Switchboard sb : pair) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode fleet = fleet(sb);
                assertThat(nodes(fleet)).containsExactlyInAnyOrder("left", "right");
                fleet.forEach(m -> assertThat(m.path("behind").asLong()).as(m.toString()).isZero());
                fleet.forEach(m -> assertThat(m.path("admin").asText()).startsWith("127.0.0.1:"));
            });
        }
        Switchboard left = pair.get(0);
        try (Browser browser = Browser.start(1200, 900)) {
            browser.open("http://127.0.0.1:" + left.adminAddress().getPort() + "/");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(browser.all("#fleet tr.member")).hasSize(2);
                assertThat(browser.text("#fleet")).contains("left", "right", "caught up");
                assertThat(browser.text("#source-table")).contains("etcd");
            });
            assertThat(browser.text("#poll")).as("the last update drew without an error").startsWith("updated");
            pair.get(1).close();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(browser.all("#fleet tr.member")).as("the stopped instance left").hasSize(1));
            assertThat(nodes(fleet(left))).containsExactly("left");
        }
    }
}
