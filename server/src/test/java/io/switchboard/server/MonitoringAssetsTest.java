package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchboard.admin.AdminServer;
import io.switchboard.admin.ProxyState;
import io.switchboard.admin.SyncStatus;
import io.switchboard.dataplane.DataPlane;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.model.ServiceId;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.scheduler.SchedulerConfig;
import io.switchboard.source.file.ManifestSource;
import io.switchboard.store.Checkout;
import io.switchboard.store.ObjectStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard ({@code deploy/grafana/switchboard.json}) and the alert rules
 * ({@code deploy/prometheus/switchboard-alerts.yaml}) parse, and every metric their expressions name
 * is one the exporter lists: the admin server's registry with the sync metrics, scraped over a routing
 * table with a TCP, an HTTP and a UDP Service (no socket is bound). MonitoringMetricsIT checks the
 * same names in a running instance's {@code /metrics}.
 */
class MonitoringAssetsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path GRAFANA = ROOT.resolve("deploy/grafana/switchboard.json");
    static final Path ALERTS = ROOT.resolve("deploy/prometheus/switchboard-alerts.yaml");
    private static final Pattern METRIC = Pattern.compile("\\bswitchboard_[a-z0-9_]+\\b");

    @TempDir
    Path dir;

    private DataPlane dataPlane;

    @BeforeEach
    void setUp() {
        dataPlane = new DataPlane(new DataPlane.Settings(1, 64, 1000, 16, 100));
    }

    @AfterEach
    void tearDown() {
        dataPlane.close();
    }

    /** Every expression of the Grafana dashboard: panel targets (rows included) and template queries. */
    static List<String> grafanaExpressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        collectTargets(dashboard.path("panels"), out);
        for (JsonNode v : dashboard.path("templating").path("list")) {
            JsonNode q = v.path("query");
            out.add(q.isObject() ? q.path("query").asText() : q.asText());
        }
        return out;
    }

    private static void collectTargets(JsonNode panels, List<String> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
            collectTargets(p.path("panels"), out);
        }
    }

    /** Every rule's expression. */
    static List<String> alertExpressions(JsonNode rules) {
        List<String> out = new ArrayList<>();
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                out.add(r.path("expr").asText());
            }
        }
        return out;
    }

    /** The metric names the expressions use. */
    static Set<String> metricsIn(List<String> expressions) {
        Set<String> out = new TreeSet<>();
        for (String e : expressions) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }

    static JsonNode grafana() throws IOException {
        return new ObjectMapper().readTree(GRAFANA.toFile());
    }

    static JsonNode alerts() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
    }

    /** The sample names a scrape of {@code registry} exposes: counters with _total, histograms with their series. */
    static Set<String> exposedNames(PrometheusRegistry registry) {
        Set<String> out = new TreeSet<>();
        for (MetricSnapshot s : registry.scrape()) {
            String name = s.getMetadata().getPrometheusName();
            if (s instanceof CounterSnapshot) {
                out.add(name + "_total");
            } else if (s instanceof HistogramSnapshot) {
                out.add(name + "_bucket");
                out.add(name + "_sum");
                out.add(name + "_count");
            } else {
                out.add(name);
            }
        }
        return out;
    }

    private RoutingTable table() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), String.join("---\n", Manifests.service("web", "127.0.50.1", 80),
                Manifests.slice("web", 8080, List.of("127.0.51.1"))));
        Files.writeString(dir.resolve("api.yaml"), String.join("---\n",
                Manifests.service("api", "127.0.50.2", 80).replace("targetPort: tcp", "targetPort: tcp\n    appProtocol: http"),
                Manifests.slice("api", 8080, List.of("127.0.51.2"))));
        Files.writeString(dir.resolve("dns.yaml"), String.join("---\n",
                UdpIT.udpService("dns", "127.0.50.3", 53, 5353, "", ""),
                UdpIT.udpSlice("dns", 5353, List.of("127.0.51.3"))));
        ObjectStore store = new ObjectStore(List.of(InetAddress.getLoopbackAddress()));
        ManifestSource source = new ManifestSource(dir, new ResourceMapper("switchboard"), store);
        source.beforeSync();
        Checkout checkout = store.checkout();
        assertThat(checkout.errors()).isEmpty();
        RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("node",
                List.of(InetAddress.getLoopbackAddress()), SchedulerConfig.DEFAULT, System::nanoTime,
                io.switchboard.routing.HoldDownListener.NONE));
        Set<ServiceId> all = checkout.snapshot().services().keySet();
        assertThat(all).hasSize(3);
        return builder.apply(all, checkout.snapshot()).table();
    }

    private Set<String> exported() throws IOException {
        RoutingTable table = table();
        ProxyState state = new ProxyState() {
            @Override
            public RoutingTable table() {
                return table;
            }

            @Override
            public DataPlane dataPlane() {
                return dataPlane;
            }

            @Override
            public SyncStatus status() {
                return SyncStatus.NONE;
            }

            @Override
            public Readiness readiness() {
                return new Readiness(true, "");
            }

            @Override
            public Instance instance() {
                return new Instance(1, "test", Instant.now(), false, false);
            }

            @Override
            public List<String> handOver(String successor) {
                return List.of();
            }
        };
        AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), state);
        SyncMetrics sync = new SyncMetrics();
        sync.record(1_000_000, true);
        admin.registry().register(sync.duration());
        admin.registry().register(sync.syncs());
        admin.registry().register(sync.lastSuccess());
        admin.registry().register(SyncMetrics.pending(() -> 0));
        return exposedNames(admin.registry());
    }

    @Test
    void theGrafanaDashboardParsesAndNamesOnlyExportedMetrics() throws Exception {
        JsonNode dashboard = grafana();
        assertThat(dashboard.path("title").asText()).isEqualTo("Switchboard");
        assertThat(dashboard.path("uid").asText()).isNotEmpty();
        List<String> expressions = grafanaExpressions(dashboard);
        assertThat(expressions).hasSizeGreaterThan(20).allSatisfy(e -> assertThat(e).isNotBlank());
        assertThat(expressions).anySatisfy(e -> assertThat(e).contains("histogram_quantile(0.99",
                "switchboard_service_request_duration_seconds_bucket"));
        Set<String> used = metricsIn(expressions);
        assertThat(used).contains("switchboard_service_requests_total", "switchboard_endpoint_up",
                "switchboard_sync_last_success_timestamp_seconds");
        Set<String> exported = exported();
        assertThat(exported).as("what the exporter lists").contains("switchboard_service_requests_total",
                "switchboard_service_request_duration_seconds_bucket", "switchboard_syncs_total");
        assertThat(exported).containsAll(used);
        for (JsonNode p : dashboard.path("panels")) {
            if (!p.path("type").asText().equals("row")) {
                assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText())
                        .isEqualTo("${DS_PROMETHEUS}");
                assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
            }
        }
    }

    @Test
    void theAlertRulesParseAndNameOnlyExportedMetrics() throws Exception {
        JsonNode rules = alerts();
        List<String> names = new ArrayList<>();
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                names.add(r.path("alert").asText());
                assertThat(r.path("expr").asText()).as(r.path("alert").asText()).isNotBlank();
                assertThat(r.path("labels").path("severity").asText()).isIn("warning", "critical");
                assertThat(r.path("annotations").path("summary").asText()).isNotBlank();
            }
        }
        assertThat(names).contains("SwitchboardServiceNoUsableEndpoints", "SwitchboardHigh5xxRatio",
                "SwitchboardSyncStale", "SwitchboardConnectionCapNear");
        assertThat(exported()).containsAll(metricsIn(alertExpressions(rules)));
    }

    @Test
    void aMetricTheExporterDoesNotListIsCaught() throws Exception {
        assertThat(exported()).doesNotContainAnyElementsOf(
                metricsIn(List.of("rate(switchboard_service_requests[5m])", "switchboard_no_such_metric")));
    }

    /**
     * Where {@code promtool} is installed (Debian's {@code prometheus}), it checks the rules, and the
     * dashboard's expressions as recording rules with Grafana's variables filled in.
     */
    @Test
    void promtoolAcceptsTheRulesAndTheDashboardsQueriesWhereItIsInstalled() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool is not installed");
        assertThat(promtool(promtool, ALERTS)).isZero();
        StringBuilder recording = new StringBuilder("groups:\n- name: grafana\n  rules:\n");
        int i = 0;
        for (String e : grafanaExpressions(grafana())) {
            if (e.startsWith("label_values(")) {
                e = e.substring("label_values(".length(), e.lastIndexOf(','));
            }
            String filled = e.replace("$__rate_interval", "5m").replace("$instance", ".*").replace("$service", ".*");
            recording.append("  - record: grafana:panel").append(i++).append("\n    expr: ")
                    .append(new ObjectMapper().writeValueAsString(filled)).append('\n');
        }
        Path file = dir.resolve("grafana-rules.yaml");
        Files.writeString(file, recording);
        assertThat(promtool(promtool, file)).as(recording.toString()).isZero();
    }

    private static int promtool(Path promtool, Path rules) throws Exception {
        Process p = new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString()).inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish");
        }
        return p.exitValue();
    }
}
