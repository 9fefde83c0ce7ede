package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.DemoBackend;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboard and the alert rules in {@code deploy/} name is in the
 * {@code /metrics} of a running instance serving a TCP, an HTTP and a UDP Service that carried traffic.
 */
class MonitoringMetricsIT {

    private static final int PORT = 18461;
    private static final int TARGET = 19461;

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

    /** Sample names in a Prometheus text exposition. */
    static Set<String> sampleNames(String exposition) {
        Set<String> out = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            out.add(line.substring(0, end));
        }
        return out;
    }

    @Test
    void everyMetricTheMonitoringAssetsNameIsExported() throws Exception {
        closeables.add(DemoBackend.start("tcp", new InetSocketAddress("127.0.52.1", TARGET), 1));
        closeables.add(DemoBackend.start("http", new InetSocketAddress("127.0.52.2", TARGET), 1));
        closeables.add(DemoBackend.start("udp", new InetSocketAddress("127.0.52.3", TARGET), 1));
        Manifests.write(dir, "web.yaml", Manifests.service("web", "127.0.53.1", PORT),
                Manifests.slice("web", TARGET, List.of("127.0.52.1")));
        Manifests.write(dir, "api.yaml", DashboardIT.httpService("api", "127.0.53.2", PORT),
                Manifests.slice("api", TARGET, List.of("127.0.52.2")));
        Manifests.write(dir, "dns.yaml", UdpIT.udpService("dns", "127.0.53.3", PORT, TARGET, "", ""),
                UdpIT.udpSlice("dns", TARGET, List.of("127.0.52.3")));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        assertThat(sb.status().errors()).isEmpty();

        assertThat(Clients.name("127.0.53.1", PORT)).isEqualTo("tcp");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.53.2:" + PORT + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.54.1", 0))) {
            s.setSoTimeout(3000);
            byte[] msg = "name".getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(msg, msg.length, new InetSocketAddress("127.0.53.3", PORT)));
            DatagramPacket reply = new DatagramPacket(new byte[64], 64);
            s.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("udp");
        }

        Set<String> exposed = sampleNames(Clients.admin(sb, "/metrics").body());
        Set<String> used = new TreeSet<>(MonitoringAssetsTest.metricsIn(
                MonitoringAssetsTest.grafanaExpressions(MonitoringAssetsTest.grafana())));
        used.addAll(MonitoringAssetsTest.metricsIn(MonitoringAssetsTest.alertExpressions(MonitoringAssetsTest.alerts())));
        assertThat(used).hasSizeGreaterThan(15);
        assertThat(exposed).as("/metrics of a running instance").containsAll(used);
    }
}
