package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Service;
import io.switchboard.backend.DemoBackend;
import io.switchboard.server.MockApi.Ep;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kube-proxy's endpoint categories (the table of {@code TestCategorizeEndpoints} in
 * {@code pkg/proxy/topology_test.go}, plus its PreferSameNode cases), each row driven through real
 * connections: the row's Service and EndpointSlice are created through the Kubernetes API (fabric8's
 * mock server in CRUD mode), and the endpoints that answer on the cluster IP and on the node port
 * are compared with the row's cluster or local endpoint set, whichever that address's traffic
 * policy uses. An empty set means the connection is refused. This node is {@code node-1}; "local"
 * endpoints run on it, others on {@code node-2}. Rows are grouped by this node's zone label, which
 * the test changes on the Node object between groups.
 */
class TopologyIT {

    private static final int PORT = 18400;
    /** The row endpoint addresses, kept as names, and the loopback address each one runs on. */
    private static final Map<String, String> ADDRESS = new LinkedHashMap<>();

    static {
        for (int i = 3; i <= 6; i++) {
            ADDRESS.put("10.1.2." + i, "127.0.9." + i);
        }
        for (int i = 0; i <= 3; i++) {
            ADDRESS.put("10.0.0." + i, "127.0.10." + (i + 1));
        }
    }

    @TempDir
    static Path dir;

    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static MockApi api;
    private static Switchboard sb;

    /** One row: the node's zone (null for no label), the policies, whether it has a node port, endpoints, expectations. */
    private record Row(int n, String name, String zone, boolean internalLocal, boolean externalLocal, boolean nodePort,
                       List<Ep> eps, Set<String> cluster, Set<String> local) {
        Set<String> internal() {
            return internalLocal ? local : cluster;
        }

        Set<String> external() {
            return externalLocal ? local : cluster;
        }
    }

    /** Parses {@code "10.1.2.3 R L z:zone-a,zone-b n:node-1"}: R ready, NR not ready, S serving, T terminating, L local. */
    private static Ep ep(String spec) {
        String[] p = spec.split(" ");
        boolean ready = false;
        boolean serving = false;
        boolean terminating = false;
        boolean local = false;
        List<String> zones = null;
        List<String> nodes = null;
        for (int i = 1; i < p.length; i++) {
            switch (p[i]) {
                case "R" -> {
                    ready = true;
                    serving = true;
                }
                case "NR" -> ready = false;
                case "S" -> serving = true;
                case "T" -> terminating = true;
                case "L" -> local = true;
                default -> {
                    if (p[i].startsWith("z:")) {
                        zones = Arrays.asList(p[i].substring(2).split(","));
                    } else if (p[i].startsWith("n:")) {
                        nodes = Arrays.asList(p[i].substring(2).split(","));
                    } else {
                        throw new IllegalArgumentException(p[i]);
                    }
                }
            }
        }
        return new Ep(ADDRESS.get(p[0]), ready, serving, terminating, local ? "node-1" : "node-2", zones, nodes);
    }

    private static List<Ep> eps(String... specs) {
        return Arrays.stream(specs).map(TopologyIT::ep).toList();
    }

    private static Set<String> set(String... ips) {
        return new TreeSet<>(Arrays.asList(ips));
    }

    private static final String[] HINTED = {"10.1.2.3 R z:zone-a", "10.1.2.4 R z:zone-b", "10.1.2.5 R z:zone-c",
            "10.1.2.6 R z:zone-a"};
    private static final String[] LOCAL_HINTED = {"10.1.2.3 R L z:zone-a", "10.1.2.4 R L z:zone-b",
            "10.1.2.5 R z:zone-c", "10.1.2.6 R z:zone-a"};

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        String a = "zone-a";
        rows.add(new Row(1, "topology: all endpoints hinted, some for this zone", a, false, false, false, eps(HINTED),
                set("10.1.2.3", "10.1.2.6"), null));
        rows.add(new Row(2, "externalTrafficPolicy Local ignores topology", a, false, true, true, eps(LOCAL_HINTED),
                set("10.1.2.3", "10.1.2.6"), set("10.1.2.3", "10.1.2.4")));
        rows.add(new Row(3, "internalTrafficPolicy Local ignores topology", a, true, false, true, eps(LOCAL_HINTED),
                set("10.1.2.3", "10.1.2.6"), set("10.1.2.3", "10.1.2.4")));
        rows.add(new Row(4, "no zone label", null, false, false, false, eps("10.1.2.3 R z:zone-a"), set("10.1.2.3"),
                null));
        rows.add(new Row(5, "empty zone label", "", false, false, false, eps("10.1.2.3 R z:zone-a"), set("10.1.2.3"),
                null));
        rows.add(new Row(6, "node in another zone: no filtering", "zone-b", false, false, false,
                eps("10.1.2.3 R z:zone-a"), set("10.1.2.3"), null));
        rows.add(new Row(7, "unready endpoint", a, false, false, false, eps("10.1.2.3 R z:zone-a", "10.1.2.4 R z:zone-b",
                "10.1.2.5 R z:zone-c", "10.1.2.6 NR z:zone-a"), set("10.1.2.3"), null));
        rows.add(new Row(8, "only unready endpoints in this zone: no filtering", a, false, false, false,
                eps("10.1.2.3 NR z:zone-a", "10.1.2.4 R z:zone-b", "10.1.2.5 R z:zone-c", "10.1.2.6 NR z:zone-a"),
                set("10.1.2.4", "10.1.2.5"), null));
        rows.add(new Row(9, "missing hints: no filtering", a, false, false, false, eps("10.1.2.3 R z:zone-a",
                "10.1.2.4 R z:zone-b", "10.1.2.5 R", "10.1.2.6 R z:zone-a"),
                set("10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"), null));
        rows.add(new Row(10, "several zones per endpoint", "zone-c", false, false, false,
                eps("10.1.2.3 R z:zone-a,zone-b,zone-c", "10.1.2.4 R z:zone-b,zone-c", "10.1.2.5 R z:zone-b,zone-d",
                        "10.1.2.6 R z:zone-c"), set("10.1.2.3", "10.1.2.4", "10.1.2.6"), null));
        rows.add(new Row(11, "topology and locality disagree", a, false, true, true, eps("10.0.0.0 R L z:zone-a",
                "10.0.0.1 R L z:zone-b", "10.0.0.2 R z:zone-a", "10.0.0.3 R z:zone-b"), set("10.0.0.0", "10.0.0.2"),
                set("10.0.0.0", "10.0.0.1")));
        rows.add(new Row(12, "internalTrafficPolicy Local, no endpoints", a, true, false, false, eps(), null, set()));
        rows.add(new Row(13, "internalTrafficPolicy Local, all endpoints remote", a, true, false, false,
                eps("10.0.0.0 R", "10.0.0.1 R"), null, set()));
        rows.add(new Row(14, "internalTrafficPolicy Local, all endpoints local", a, true, false, false,
                eps("10.0.0.0 R L", "10.0.0.1 R L"), null, set("10.0.0.0", "10.0.0.1")));
        rows.add(new Row(15, "internalTrafficPolicy Local, some endpoints local", a, true, false, false,
                eps("10.0.0.0 R L", "10.0.0.1 R"), null, set("10.0.0.0")));
        rows.add(new Row(16, "Cluster, no endpoint ready", a, false, false, false, eps("10.0.0.0 NR", "10.0.0.1 NR"),
                set(), null));
        rows.add(new Row(17, "Cluster, some endpoints ready", a, false, false, false, eps("10.0.0.0 NR", "10.0.0.1 R"),
                set("10.0.0.1"), null));
        rows.add(new Row(18, "Cluster, all endpoints terminating", a, false, false, false,
                eps("10.0.0.0 NR S T L", "10.0.0.1 NR S T"), set("10.0.0.0", "10.0.0.1"), null));
        String[] mixed = {"10.0.0.0 R L", "10.0.0.1 R"};
        rows.add(new Row(19, "iTP Local, eTP Cluster, some local", a, true, false, true, eps(mixed),
                set("10.0.0.0", "10.0.0.1"), set("10.0.0.0")));
        rows.add(new Row(20, "iTP Cluster, eTP Local, some local", a, false, true, true, eps(mixed),
                set("10.0.0.0", "10.0.0.1"), set("10.0.0.0")));
        rows.add(new Row(21, "iTP Local, eTP Local, some local", a, true, true, true, eps(mixed),
                set("10.0.0.0", "10.0.0.1"), set("10.0.0.0")));
        rows.add(new Row(22, "iTP Local, eTP Local, all remote", a, true, true, true, eps("10.0.0.0 R", "10.0.0.1 R"),
                set("10.0.0.0", "10.0.0.1"), set()));
        rows.add(new Row(23, "iTP Local, eTP Local, all remote and terminating", a, true, true, true,
                eps("10.0.0.0 NR S T", "10.0.0.1 NR S T"), set("10.0.0.0", "10.0.0.1"), set()));
        rows.add(new Row(24, "iTP Cluster, eTP Local, terminating endpoints", a, false, true, true,
                eps("10.0.0.0 R", "10.0.0.1 NR L", "10.0.0.2 NR S T L", "10.0.0.3 NR S T"), set("10.0.0.0"),
                set("10.0.0.2")));
        rows.add(new Row(25, "externalTrafficPolicy ignored without external exposure", a, false, true, false,
                eps("10.0.0.0 R", "10.0.0.1 R L"), set("10.0.0.0", "10.0.0.1"), null));
        rows.add(new Row(26, "internal-only Service with iTP Local", a, true, false, false,
                eps("10.0.0.0 R", "10.0.0.1 R L"), null, set("10.0.0.1")));
        String[] e4 = {"10.1.2.3 R z:zone-a n:node-1", "10.1.2.4 R z:zone-b n:node-2", "10.1.2.5 R z:zone-c n:node-3",
                "10.1.2.6 R z:zone-a n:node-4"};
        rows.add(new Row(27, "PreferSameNode: a node hint names this node", a, false, false, false, eps(e4),
                set("10.1.2.3"), null));
        rows.add(new Row(28, "PreferSameNode ignored when some endpoint has no hints", a, false, false, false,
                eps("10.1.2.3 R z:zone-a n:node-1", "10.1.2.4 R", "10.1.2.5 R z:zone-c n:node-3",
                        "10.1.2.6 R z:zone-a n:node-4"), set("10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"), null));
        rows.add(new Row(29, "PreferSameNode falls back to the zone when no hint names this node", a, false, false,
                false, eps("10.1.2.3 R z:zone-a n:node-0", "10.1.2.4 R z:zone-b n:node-2", "10.1.2.5 R z:zone-c n:node-3",
                "10.1.2.6 R z:zone-a n:node-4"), set("10.1.2.3", "10.1.2.6"), null));
        return rows;
    }

    @BeforeAll
    static void start() throws Exception {
        for (var e : ADDRESS.entrySet()) {
            closeables.add(DemoBackend.start(e.getKey(), new InetSocketAddress(e.getValue(), 19190), 1));
        }
        api = new MockApi();
        api.node("node-1", Map.of("topology.kubernetes.io/zone", "zone-a"), null);
        sb = Switchboard.start(api.config(dir, "node-1"));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        sb.close();
        api.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private static Service service(Row r) {
        Service s = MockApi.service("row-" + r.n(), "svc", "127.0.20." + r.n(), PORT);
        if (r.nodePort()) {
            s.getSpec().setType("NodePort");
            s.getSpec().getPorts().get(0).setNodePort(31000 + r.n());
        }
        s.getSpec().setInternalTrafficPolicy(r.internalLocal() ? "Local" : "Cluster");
        s.getSpec().setExternalTrafficPolicy(r.externalLocal() ? "Local" : "Cluster");
        return s;
    }

    /** The names of the endpoints that answer 12 connections (round robin covers up to 4), or "refused". */
    private static Set<String> answering(String ip, int port) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < 12; i++) {
            try {
                out.add(Clients.name(ip, port));
            } catch (IOException e) {
                out.add("refused");
            }
        }
        return out;
    }

    private static Set<String> expected(Set<String> s) {
        return s.isEmpty() ? Set.of("refused") : s;
    }

    @Test
    void everyRowOfKubeProxysTopologyTableHoldsThroughRealConnections() {
        Map<String, List<Row>> byZone = new LinkedHashMap<>();
        for (Row r : rows()) {
            byZone.computeIfAbsent(String.valueOf(r.zone()), k -> new ArrayList<>()).add(r);
        }
        List<String> failures = new ArrayList<>();
        for (List<Row> group : byZone.values()) {
            String zone = group.get(0).zone();
            api.node("node-1", zone == null ? Map.of() : Map.of("topology.kubernetes.io/zone", zone), null);
            for (Row r : group) {
                api.client().resource(service(r)).create();
                api.client().resource(MockApi.slice("row-" + r.n(), "svc-1", "svc", 19190, r.eps())).create();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> group.stream().allMatch(r ->
                    sb.table().services().keySet().stream().anyMatch(id -> id.namespace().equals("row-" + r.n()))
                    && zone(zone).equals(sb.zoneInEffect())));
            // The slices arrive with their Services; give the last sync a moment to apply them all.
            await().atMost(Duration.ofSeconds(10)).until(() -> sb.status().syncs() > 0
                    && group.stream().allMatch(r -> sb.table().services().entrySet().stream()
                    .anyMatch(e -> e.getKey().namespace().equals("row-" + r.n())
                            && e.getValue().allBackends().size() == r.eps().size())));
            for (Row r : group) {
                Set<String> internal = answering("127.0.20." + r.n(), PORT);
                if (!internal.equals(expected(r.internal()))) {
                    failures.add("row " + r.n() + " (" + r.name() + "), cluster IP: expected " + expected(r.internal())
                            + ", got " + internal);
                }
                if (r.nodePort()) {
                    Set<String> external = answering("127.0.0.1", 31000 + r.n());
                    if (!external.equals(expected(r.external()))) {
                        failures.add("row " + r.n() + " (" + r.name() + "), node port: expected "
                                + expected(r.external()) + ", got " + external);
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static String zone(String z) {
        return z == null ? "" : z;
    }
}
