package io.switchboard.server;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes API for tests: fabric8's mock server in CRUD mode, because no real API server can be
 * installed on these machines. Its limits: watches replay every object as ADDED when they reconnect,
 * and it never answers 410 Gone, so a compacted-history relist is not exercised. It can be stopped
 * and started again on the same port with the same objects, which is how tests drop the watch.
 */
final class MockApi implements AutoCloseable {

    /** The mock logs every request at INFO through java.util.logging; keep only its warnings. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    final int port;
    private final InetAddress bind;
    private final KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher();
    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;

    MockApi() throws IOException {
        this(InetAddress.getLoopbackAddress());
    }

    /** One listening on {@code bind} (a veth address, for a Switchboard inside a namespace). */
    MockApi(InetAddress bind) throws IOException {
        this.bind = bind;
        try (ServerSocket s = new ServerSocket(0, 1, bind)) {
            port = s.getLocalPort();
        }
        start();
    }

    /** Starts (again) on the same port, with the objects it had; waits a little if the port is not free yet. */
    void start() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
            try {
                server.init(bind, port);
                client = server.createClient();
                return;
            } catch (RuntimeException e) {
                last = e;
                server.destroy();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw new IllegalStateException("mock API server cannot bind " + bind.getHostAddress() + ":" + port, last);
    }

    /** Stops answering: every watch and request fails until {@link #start()}. */
    void stop() {
        client.close();
        server.destroy();
    }

    /** The running server, whose recorded requests tests can read. */
    KubernetesMockServer server() {
        return server;
    }

    NamespacedKubernetesClient client() {
        return client;
    }

    /** A kubeconfig file naming this server, as an operator would pass with --kubeconfig. */
    Path kubeconfig(Path dir) throws IOException {
        Path f = dir.resolve("kubeconfig");
        Files.writeString(f, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: http://%s:%d
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: tester
                current-context: mock
                users:
                - name: tester
                  user:
                    token: not-checked
                """.formatted(bind.getHostAddress(), port));
        return f;
    }

    /** A Switchboard configuration watching this API as {@code node}, with no manifest directory. */
    SwitchboardConfig config(Path dir, String node) throws IOException {
        return SwitchboardConfig.defaults(dir).withAdmin(new java.net.InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2).withNodeName(node)
                .withKubernetes(null, new SwitchboardConfig.Kubernetes(kubeconfig(dir), List.of(), Duration.ZERO,
                        Duration.ofSeconds(60)), new java.net.InetSocketAddress("127.0.0.1", 0));
    }

    /** Creates or replaces this node with {@code labels} and, when {@code taint} is set, that taint. */
    void node(String name, Map<String, String> labels, String taint) {
        var b = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata();
        if (taint != null) {
            b = b.withNewSpec().addNewTaint().withKey(taint).withEffect("NoSchedule").endTaint().endSpec();
        }
        client.nodes().resource(b.build()).createOr(r -> r.update());
    }

    /** A ClusterIP Service on {@code ip}:{@code port} (TCP), target port 19190. */
    static io.fabric8.kubernetes.api.model.Service service(String ns, String name, String ip, int port) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withClusterIP(ip).withClusterIPs(ip).addNewPort().withName("http").withPort(port)
                .withNewTargetPort(19190).withProtocol("TCP").endPort().endSpec().build();
    }

    /** One endpoint: its address, readiness, node, and zone/node hints (null for none). */
    record Ep(String ip, boolean ready, boolean serving, boolean terminating, String node, List<String> zones,
              List<String> nodes) {
        static Ep ready(String ip) {
            return new Ep(ip, true, true, false, "node-2", null, null);
        }
    }

    /** An IPv4 EndpointSlice of Service {@code service} with port "http" = {@code targetPort}. */
    static EndpointSlice slice(String ns, String name, String service, int targetPort, List<Ep> eps) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToLabels("kubernetes.io/service-name", service)
                .addToAnnotations("endpoints.kubernetes.io/last-change-trigger-time", java.time.Instant.now().toString())
                .endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(targetPort).withProtocol("TCP").endPort();
        for (Ep e : eps) {
            EndpointBuilder eb = new EndpointBuilder().withAddresses(e.ip()).withNodeName(e.node())
                    .withNewConditions().withReady(e.ready()).withServing(e.serving()).withTerminating(e.terminating())
                    .endConditions();
            if (e.zones() != null || e.nodes() != null) {
                var hints = new io.fabric8.kubernetes.api.model.discovery.v1.EndpointHintsBuilder();
                if (e.zones() != null) {
                    e.zones().forEach(z -> hints.addNewForZone().withName(z).endForZone());
                }
                if (e.nodes() != null) {
                    e.nodes().forEach(n -> hints.addNewForNode().withName(n).endForNode());
                }
                eb.withHints(hints.build());
            }
            b.addToEndpoints(eb.build());
        }
        return b.build();
    }

    @Override
    public void close() {
        stop();
    }
}
