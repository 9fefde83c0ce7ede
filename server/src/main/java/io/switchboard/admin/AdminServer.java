package io.switchboard.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.server.Switchboard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: {@code /healthz}, {@code /readyz} (after the first sync), {@code /metrics}
 * (Prometheus text format) and {@code /api/v1/routes} (the routing table as JSON). It runs on its own
 * thread, never on an event loop.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** JSON for the admin API and its clients. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final InetSocketAddress requested;
    private final Switchboard switchboard;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private HttpServer server;
    private ExecutorService executor;

    /** An admin server for {@code switchboard}; call {@link #start()}. */
    public AdminServer(InetSocketAddress address, Switchboard switchboard) {
        this.requested = address;
        this.switchboard = switchboard;
        registry.register(new MetricsCollector(switchboard));
        registry.register(switchboard.syncMetrics().duration());
        registry.register(switchboard.syncMetrics().syncs());
    }

    /** Binds and starts serving. */
    public void start() throws IOException {
        server = HttpServer.create(requested, 64);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "switchboard-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server == null ? requested : server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain", "only GET\n");
                return;
            }
            switch (ex.getRequestURI().getPath()) {
                case "/healthz" -> send(ex, 200, "text/plain", "ok\n");
                case "/readyz" -> {
                    if (switchboard.ready()) {
                        send(ex, 200, "text/plain", "ready\n");
                    } else {
                        send(ex, 503, "text/plain", "not ready: waiting for the first sync\n");
                    }
                }
                case "/metrics" -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
                    writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
                    send(ex, 200, writer.getContentType(), out.toByteArray());
                }
                case "/api/v1/routes" -> send(ex, 200, "application/json",
                        JSON.writeValueAsBytes(RoutingView.of(switchboard)));
                default -> send(ex, 404, "text/plain", "not found; try /healthz /readyz /metrics /api/v1/routes\n");
            }
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().setCause(e).addKeyValue("path", ex.getRequestURI()).log("admin request failed");
            throw e;
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
