package io.switchboard.healthcheck;

import io.switchboard.httpserver.SmallHttpServers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's health server ({@code --healthz-bind-address}, port 10256 by convention): {@code /healthz}
 * answers 503 when the proxy is behind (a queued change older than the health timeout) or this node
 * is being deleted or drained, so cloud load balancers stop sending to it; {@code /livez} leaves the
 * node out. Both answer JSON with {@code lastUpdated}, {@code currentTime} ({@code lastUpdated} is the
 * current time while healthy, as kube-proxy reports it) and {@code healthy}.
 */
public final class ProxyHealthServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHealthServer.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final ProxyHealth health;
    private final HttpServer server;
    private final ExecutorService executor;

    /** Binds {@code address} and serves {@code health}. */
    public ProxyHealthServer(InetSocketAddress address, ProxyHealth health) throws IOException {
        this.health = Objects.requireNonNull(health, "health");
        this.server = SmallHttpServers.create(address);
        this.executor = SmallHttpServers.executor("switchboard-healthz");
        server.setExecutor(executor);
        server.createContext("/healthz", ex -> answer(ex, true));
        server.createContext("/livez", ex -> answer(ex, false));
        server.start();
        LOG.atInfo().addKeyValue("address", address()).log("health server listening");
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void answer(HttpExchange ex, boolean withNode) throws IOException {
        try (ex) {
            ProxyHealth.View v = health.view();
            boolean ok = v.healthy() && (!withNode || v.nodeEligible());
            Map<String, Object> body = new LinkedHashMap<>();
            Instant last = ok ? v.now() : v.lastUpdated();
            body.put("lastUpdated", last == null ? Instant.EPOCH.toString() : last.toString());
            body.put("currentTime", v.now().toString());
            if (withNode) {
                body.put("nodeEligible", v.nodeEligible());
            }
            body.put("healthy", v.healthy());
            send(ex, ok ? 200 : 503, JSON.writeValueAsBytes(body), null);
        }
    }

    /** Sends a JSON answer with kube-proxy's headers. */
    static void send(HttpExchange ex, int status, byte[] body, String weight) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (weight != null) {
            ex.getResponseHeaders().set("X-Load-Balancing-Endpoint-Weight", weight);
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
