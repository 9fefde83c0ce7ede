package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node, simulated with network namespaces this test makes: a "node" namespace runs Switchboard
 * with {@code --kubeconfig} against the mock API server (fabric8's, in CRUD mode: no real API server
 * runs here), reached over a veth from this JVM; two pod namespaces hang off the node by veth pairs
 * (pod IPs 10.244.1.2 and 10.244.2.2, each running a demo endpoint; the second is "on node-2"); a
 * client namespace reaches the node's address and routes the Service ranges (10.96.0.0/12, an
 * external IP, a load-balancer IP) through it, as a pod or an outside client would. Nothing but
 * Switchboard's own local routes makes those addresses reach the node's listeners. Traffic never
 * leaves the namespaces.
 */
class NodeIT {

    private static final int ADMIN = 19911;
    private static final String NODE_IP = "10.240.0.1";
    private static final String POD_A = "10.244.1.2";
    private static final String POD_B = "10.244.2.2";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private NetNs node;
    private NetNs client;
    private MockApi api;

    @BeforeEach
    void setUp() throws Exception {
        String why = NetNs.unavailable();
        assumeTrue(why == null, why);
        node = closing(new NetNs("10.241.0"));
        NetNs podA = closing(new NetNs("10.244.1", node));
        NetNs podB = closing(new NetNs("10.244.2", node));
        client = closing(new NetNs("10.240.0", node));
        // The node's way out is the client network, so its primary address is 10.240.0.1.
        node.inside("ip", "route", "add", "default", "via", client.nsAddress);
        for (String range : List.of("10.96.0.0/12", "192.0.2.0/24", "198.51.100.0/24")) {
            client.inside("ip", "route", "add", range, "via", NODE_IP);
        }
        api = closing(new MockApi(InetAddress.getByName(node.hostAddress)));
        api.node("node-1", Map.of(), null);
        api.node("node-2", Map.of(), null);
        backend(podA, "pod-a");
        backend(podB, "pod-b");
        api.client().resource(service("""
                metadata: {name: web, namespace: shop}
                spec:
                  type: NodePort
                  clusterIP: 10.96.0.10
                  clusterIPs: [10.96.0.10]
                  externalIPs: [192.0.2.10]
                  ports: [{name: tcp, port: 80, targetPort: 8080, nodePort: 30080}]
                """)).create();
        api.client().resource(service("""
                metadata: {name: lb, namespace: shop}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.0.11
                  clusterIPs: [10.96.0.11]
                  externalTrafficPolicy: Local
                  healthCheckNodePort: 32001
                  ports: [{name: tcp, port: 80, targetPort: 8080, nodePort: 30081}]
                status:
                  loadBalancer:
                    ingress: [{ip: 198.51.100.10}]
                """)).create();
        for (String svc : List.of("web", "lb")) {
            api.client().resource(service("""
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata: {name: %s-1, namespace: shop, labels: {kubernetes.io/service-name: %s}}
                    addressType: IPv4
                    ports: [{name: tcp, port: 8080, protocol: TCP}]
                    endpoints:
                    - {addresses: [%s], nodeName: node-1, conditions: {ready: true}}
                    - {addresses: [%s], nodeName: node-2, conditions: {ready: true}}
                    """.formatted(svc, svc, POD_A, POD_B))).create();
        }
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

    /** A manifest as the API takes it; a Service unless it says its kind. */
    private static String service(String yaml) {
        return yaml.contains("kind:") ? yaml : "apiVersion: v1\nkind: Service\n" + yaml;
    }

    private static String jar() {
        return Path.of("target/switchboard.jar").toAbsolutePath().toString();
    }

    private Process process(NetNs ns, String log, String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of("java", "-Xmx192m", "-jar", jar()));
        c.addAll(List.of(args));
        Process p = ns.start(dir.resolve(log), c.toArray(String[]::new));
        closeables.add(() -> {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        });
        return p;
    }

    private void backend(NetNs pod, String name) throws Exception {
        Process p = process(pod, name + ".log", "backend", "--listen", pod.nsAddress + ":8080", "--name", name);
        await("endpoint " + name + " up", () -> {
            try {
                return pod.inside("curl", "-s", "--max-time", "2", "http://" + pod.nsAddress + ":8080/").trim().equals(name);
            } catch (IOException e) {
                return false;
            }
        }, p);
    }

    private Process switchboard(String log) throws Exception {
        Process p = process(node, log, "run", "--kubeconfig", api.kubeconfig(dir).toString(), "--node-name", "node-1",
                "--admin", node.nsAddress + ":" + ADMIN, "--workers", "1", "--drain-timeout", "2s",
                "--service-cidr", "10.96.0.0/12", "--route-service-addresses", "--nodeport-addresses", "primary");
        try {
            await("switchboard ready", () -> get("/readyz") != null, p);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(dir.resolve(log)), e);
        }
        return p;
    }

    /** An admin GET's body when 200, else null. */
    private String get(String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                    + node.nsAddress + ":" + ADMIN + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body().trim() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void await(String what, BooleanSupplier condition, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (!condition.getAsBoolean()) {
            assertThat(p.isAlive()).as(what + ": the process exited; see " + dir).isTrue();
            assertThat(System.nanoTime()).as(what + " within 40 s; see " + dir).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** What answers {@code url} from {@code ns} (an endpoint's name), or null when nothing does. */
    private static String fetch(NetNs ns, String url) {
        try {
            return ns.inside("curl", "-s", "--max-time", "3", url).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** The endpoints that answered {@code tries} requests from the client namespace. */
    private Set<String> answers(String url, int tries) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < tries; i++) {
            out.add(String.valueOf(fetch(client, url)));
        }
        return out;
    }

    private String ourRoutes() throws IOException {
        return node.inside("ip", "route", "show", "table", "local", "proto", "73");
    }

    @Test
    void clusterNodePortExternalAndLoadBalancerAddressesReachTheNodeFromOutsideIt() throws Exception {
        switchboard("switchboard.log");
        assertThat(ourRoutes()).contains("10.96.0.0/12").contains("192.0.2.10").contains("198.51.100.10")
                .doesNotContain("10.96.0.10 ");

        // Cluster traffic policy: both pods, over the cluster IP, node port, external IP.
        assertThat(answers("http://10.96.0.10/", 12)).containsExactlyInAnyOrder("pod-a", "pod-b");
        assertThat(answers("http://" + NODE_IP + ":30080/", 12)).containsExactlyInAnyOrder("pod-a", "pod-b");
        assertThat(answers("http://192.0.2.10/", 12)).containsExactlyInAnyOrder("pod-a", "pod-b");
        // Node ports are on the primary address only, not on the node's loopback.
        assertThat(fetch(node, "http://127.0.0.1:30080/")).isNull();

        // externalTrafficPolicy: Local: the load-balancer IP and node port reach node-1's pod only; the
        // cluster IP (internalTrafficPolicy: Cluster) both.
        assertThat(answers("http://198.51.100.10/", 12)).containsExactly("pod-a");
        assertThat(answers("http://" + NODE_IP + ":30081/", 12)).containsExactly("pod-a");
        assertThat(answers("http://10.96.0.11/", 12)).containsExactlyInAnyOrder("pod-a", "pod-b");

        // The health-check node port tells the load balancer this node has one local endpoint.
        assertThat(fetch(client, "http://" + NODE_IP + ":32001/")).contains("\"localEndpoints\":1");
        api.client().resource(service("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: lb-1, namespace: shop, labels: {kubernetes.io/service-name: lb}}
                addressType: IPv4
                ports: [{name: tcp, port: 8080, protocol: TCP}]
                endpoints:
                - {addresses: [%s], nodeName: node-2, conditions: {ready: true}}
                """.formatted(POD_B))).update();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!String.valueOf(fetch(client, "http://" + NODE_IP + ":32001/")).contains("\"localEndpoints\":0")) {
            assertThat(System.nanoTime()).as("health-check node port reports 0 local endpoints").isLessThan(deadline);
            Thread.sleep(100);
        }
        // No local endpoint: a Local policy refuses rather than sending the client to another node.
        assertThat(fetch(client, "http://198.51.100.10/")).isNull();
    }

    @Test
    void itsRoutesGoOnACleanExitAndAreReconciledAfterAKill() throws Exception {
        Process first = switchboard("first.log");
        assertThat(ourRoutes()).contains("10.96.0.0/12").contains("192.0.2.10").contains("198.51.100.10");
        first.destroy();
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isZero();
        assertThat(ourRoutes()).isBlank();
        assertThat(fetch(client, "http://10.96.0.10/")).isNull();

        Process second = switchboard("second.log");
        assertThat(answers("http://192.0.2.10/", 4)).containsAnyOf("pod-a", "pod-b").doesNotContain("null");
        second.destroyForcibly();
        assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
        // A killed instance cleans nothing: its routes stay until the next one reconciles them.
        assertThat(ourRoutes()).contains("192.0.2.10");

        // While it was down the external IP went away.
        api.client().services().inNamespace("shop").withName("web").delete();
        Process third = switchboard("third.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ourRoutes().contains("192.0.2.10")) {
            assertThat(System.nanoTime()).as("the stale route is removed").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(ourRoutes()).contains("10.96.0.0/12").contains("198.51.100.10");
        assertThat(fetch(client, "http://198.51.100.10/")).isEqualTo("pod-a");
        assertThat(third.isAlive()).isTrue();
        Files.writeString(dir.resolve("done"), "ok");
    }
}
