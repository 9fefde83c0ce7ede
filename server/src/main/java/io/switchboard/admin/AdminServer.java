package io.switchboard.admin;

import io.switchboard.httpserver.SmallHttpServers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.dataplane.udp.FlowView;
import io.switchboard.model.HostPort;
import java.net.URLDecoder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: the dashboard at {@code /}, {@code /healthz}, {@code /readyz} (after the
 * first sync), {@code /metrics} (Prometheus text format), {@code /api/v1/routes} (the routing table
 * as JSON), {@code /api/v1/status} (sources, sync, errors, fleet), and UDP flows:
 * {@code GET /api/v1/conntrack} and {@code POST /api/v1/conntrack/flush}, both filtered by
 * {@code ?service=ns/name&endpoint=IP}. With admin actions on, also {@code POST /api/v1/actions/drain}
 * and {@code POST /api/v1/actions/flush}. It runs on its own thread, never on an event loop.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** JSON for the admin API and its clients. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The header {@code POST /api/v1/handover} demands (a cross-site form cannot send one). */
    public static final String SUCCESSOR_HEADER = "X-Switchboard-Successor";

    private final InetSocketAddress requested;
    private final ProxyState switchboard;
    private final boolean actions;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private HttpServer server;
    private ExecutorService executor;
    private boolean stopped;

    /** An admin server for {@code switchboard} without admin actions; call {@link #start()}. */
    public AdminServer(InetSocketAddress address, ProxyState switchboard) {
        this(address, switchboard, false);
    }

    /**
     * An admin server for {@code switchboard}; with {@code actions}, the dashboard's state-changing
     * actions (drain an endpoint, flush flows) exist. Call {@link #start()}.
     */
    public AdminServer(InetSocketAddress address, ProxyState switchboard, boolean actions) {
        this.requested = java.util.Objects.requireNonNull(address, "address");
        this.switchboard = java.util.Objects.requireNonNull(switchboard, "switchboard");
        this.actions = actions;
        registry.register(new MetricsCollector(switchboard));
    }

    /** The registry {@code /metrics} serves; the proxy and its sources register their metrics here. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Binds and starts serving. */
    public void start() throws IOException {
        server = SmallHttpServers.create(requested);
        executor = SmallHttpServers.executor("switchboard-admin");
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        if (!server.getAddress().getAddress().isLoopbackAddress()) {
            LOG.atWarn().addKeyValue("address", server.getAddress()).addKeyValue("adminActions", actions)
                    .log("the admin server listens beyond loopback: anyone who can reach it can read the"
                            + " routing table, metrics and dashboard, and flush UDP flows or take over this node's"
                            + " ports with the right header" + (actions ? ", and drain endpoints (--admin-actions)" : "")
                            + "; bind it to 127.0.0.1 unless a firewall guards it");
        }
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server == null ? requested : server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            var headers = ex.getRequestHeaders();
            String refused = AdminRequestGuard.refusal(server.getAddress().getAddress(), ex.getRequestMethod(),
                    headers.getFirst("Host"), headers.getFirst("Origin"),
                    headers.containsKey(AdminRequestGuard.ACTION_HEADER) || headers.containsKey(SUCCESSOR_HEADER));
            if (refused != null) {
                send(ex, 403, "text/plain", refused + "\n");
                return;
            }
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if ("POST".equals(ex.getRequestMethod()) && path.equals("/api/v1/conntrack/flush")) {
                int n = switchboard.dataPlane().flushFlows(flowFilter(query));
                send(ex, 200, "application/json", JSON.writeValueAsBytes(Map.of("flushed", n)));
                return;
            }
            if ("POST".equals(ex.getRequestMethod()) && path.equals("/api/v1/handover")) {
                handOver(ex);
                return;
            }
            if (path.startsWith(ACTIONS)) {
                action(ex, path.substring(ACTIONS.length()), query);
                return;
            }
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain", "only GET here (POST /api/v1/conntrack/flush, /api/v1/handover)\n");
                return;
            }
            Dashboard.Asset asset = Dashboard.asset(path);
            if (asset != null) {
                ex.getResponseHeaders().set("Cache-Control", "no-cache");
                ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
                ex.getResponseHeaders().set("X-Frame-Options", "DENY");
                ex.getResponseHeaders().set("Content-Security-Policy", Dashboard.CONTENT_SECURITY_POLICY);
                send(ex, 200, asset.type(), asset.body());
                return;
            }
            switch (path) {
                case "/api/v1/conntrack" -> send(ex, 200, "application/json",
                        JSON.writeValueAsBytes(switchboard.dataPlane().flows(flowFilter(query))));
                case "/healthz" -> send(ex, 200, "text/plain", "ok\n");
                case "/api/v1/instance" -> {
                    ProxyState.Instance i = switchboard.instance();
                    Map<String, Object> body = new java.util.LinkedHashMap<>();
                    body.put("switchboard", true);
                    body.put("pid", i.pid());
                    body.put("version", i.version());
                    body.put("started", i.started().toString());
                    body.put("draining", i.draining());
                    body.put("handedOver", i.handedOver());
                    body.put("transport", switchboard.dataPlane().transport().label());
                    body.put("udpTransport", switchboard.dataPlane().datagramTransport().label());
                    send(ex, 200, "application/json", JSON.writeValueAsBytes(body));
                }
                case "/readyz" -> {
                    ProxyState.Readiness r = switchboard.readiness();
                    send(ex, r.ready() ? 200 : 503, "text/plain", (r.ready() ? "ready" : "not ready")
                            + (r.detail().isEmpty() ? "" : ": " + r.detail()) + "\n");
                }
                case "/metrics" -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
                    writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
                    send(ex, 200, writer.getContentType(), out.toByteArray());
                }
                case "/api/v1/routes" -> send(ex, 200, "application/json",
                        JSON.writeValueAsBytes(RoutingView.of(switchboard)));
                case "/api/v1/status" -> send(ex, 200, "application/json",
                        JSON.writeValueAsBytes(StatusView.of(switchboard, actions)));
                default -> send(ex, 404, "text/plain",
                        "not found; try / /healthz /readyz /metrics /api/v1/routes /api/v1/status /api/v1/conntrack\n");
            }
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().setCause(e).addKeyValue("path", ex.getRequestURI()).log("admin request failed");
            throw e;
        }
    }

    /** Where the dashboard's actions live; they exist only with admin actions on. */
    static final String ACTIONS = "/api/v1/actions/";

    /**
     * {@code POST /api/v1/actions/drain?service=NS/NAME&endpoint=IP:PORT} (with {@code &undo=true} to
     * restore the weight) and {@code POST /api/v1/actions/flush?service=NS/NAME&endpoint=IP}; the
     * request guard has already demanded the action header. Without admin actions they do not exist.
     */
    private void action(HttpExchange ex, String action, Map<String, String> query) throws IOException {
        if (!actions) {
            send(ex, 404, "text/plain", "admin actions are off (run with --admin-actions)\n");
            return;
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "POST");
            send(ex, 405, "text/plain", "actions are POSTs with the " + AdminRequestGuard.ACTION_HEADER + " header\n");
            return;
        }
        switch (action) {
            case "drain" -> {
                String service = query.get("service");
                String endpoint = query.get("endpoint");
                if (service == null || endpoint == null) {
                    send(ex, 400, "text/plain", "drain needs ?service=NS/NAME&endpoint=IP:PORT\n");
                    return;
                }
                boolean undo = "true".equals(query.get("undo"));
                java.util.List<String> changed;
                try {
                    changed = switchboard.drain(service, endpoint, !undo);
                } catch (IllegalArgumentException e) {
                    send(ex, 400, "text/plain", e.getMessage() + "\n");
                    return;
                }
                if (changed.isEmpty()) {
                    send(ex, 404, "text/plain", "no endpoint " + endpoint + " of Service " + service + "\n");
                    return;
                }
                send(ex, 200, "application/json", JSON.writeValueAsBytes(
                        Map.of(undo ? "restored" : "drained", changed)));
            }
            case "flush" -> {
                if (query.get("service") == null) {
                    send(ex, 400, "text/plain", "flush needs ?service=NS/NAME (and optionally &endpoint=IP)\n");
                    return;
                }
                int n = switchboard.dataPlane().flushFlows(flowFilter(query));
                send(ex, 200, "application/json", JSON.writeValueAsBytes(Map.of("flushed", n)));
            }
            default -> send(ex, 404, "text/plain", "no such action; try drain or flush\n");
        }
    }

    /**
     * A successor takes over: the health servers close before the answer, this server right after
     * it, so the successor can bind them all once it has the answer.
     */
    private void handOver(HttpExchange ex) throws IOException {
        String successor = ex.getRequestHeaders().getFirst(SUCCESSOR_HEADER);
        if (successor == null || successor.isBlank()) {
            send(ex, 400, "text/plain", "a handover must carry the " + SUCCESSOR_HEADER + " header\n");
            return;
        }
        java.util.List<String> released = new java.util.ArrayList<>(switchboard.handOver(successor));
        released.add("admin " + address());
        LOG.atInfo().addKeyValue("successor", successor).addKeyValue("released", released)
                .log("handed over to a successor; carrying traffic until told to drain");
        send(ex, 200, "application/json", JSON.writeValueAsBytes(Map.of("released", released)));
        ex.close();
        Thread closer = new Thread(this::close, "switchboard-admin-handover");
        closer.setDaemon(true);
        closer.start();
    }

    /** Flows of {@code service} ({@code namespace/name}) and to {@code endpoint} (an IP), when given. */
    static Predicate<FlowView> flowFilter(Map<String, String> query) {
        String service = query.get("service");
        String endpoint = query.get("endpoint");
        return f -> (service == null || f.service().equals(service))
                && (endpoint == null || f.endpoint().startsWith(HostPort.host(endpoint) + ":"));
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if ("HEAD".equals(ex.getRequestMethod())) {
            // The JDK server sends no body for HEAD; -1 says so without a warning.
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public synchronized void close() {
        if (server != null && !stopped) {
            stopped = true;
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
