package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.admin.AdminRequestGuard;
import io.switchboard.httpserver.SmallHttpServers;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The admin server under hostile clients (issue 11, case 5): half-sent requests stall no one and are
 * cut, a cross-site form cannot change state, and a foreign {@code Host} on a loopback bind (DNS
 * rebinding) is refused, and a bind beyond loopback warns.
 */
class AdminHardeningIT {

    @TempDir
    Path dir;

    private Switchboard sb;
    private final List<Socket> sockets = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void setUp() throws Exception {
        Manifests.write(dir, "svc.yaml", Manifests.service("web", "127.0.6.120", 15910),
                Manifests.slice("web", 15920, List.of("127.0.8.81")));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(1));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        sb.close();
    }

    private URI uri(String path) {
        InetSocketAddress a = sb.adminAddress();
        return URI.create("http://127.0.0.1:" + a.getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A raw request with the headers given, for what HttpClient will not send (a foreign Host). */
    private String raw(String request) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(sb.adminAddress(), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void halfSentRequestsStallNoOneAndAreCut() throws Exception {
        for (int i = 0; i < 20; i++) {
            Socket s = new Socket();
            s.connect(sb.adminAddress(), 2000);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            sockets.add(s);
        }
        for (String path : List.of("/healthz", "/readyz", "/metrics", "/api/v1/routes")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(200);
        }
        // The JDK server's request timer cuts each within its limit (checked about once a second).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SmallHttpServers.REQUEST_SECONDS + 5);
        for (Socket s : sockets) {
            s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            InputStream in = s.getInputStream();
            // End of stream or a reset: either way the server let go of it.
            try {
                while (in.read() >= 0) {
                    // whatever it says before closing
                }
            } catch (java.net.SocketException e) {
                // reset
            }
        }
    }

    @Test
    void aCrossSiteFormCannotChangeStateButTheCommandLineCan() throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(uri("/api/v1/conntrack/flush"))
                .header("Origin", "http://evil.example").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=b")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(form.body()).contains(AdminRequestGuard.ACTION_HEADER);

        HttpResponse<String> crossOrigin = http.send(HttpRequest.newBuilder(uri("/api/v1/conntrack/flush"))
                .header("Origin", "http://evil.example").header(AdminRequestGuard.ACTION_HEADER, "flush")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossOrigin.statusCode()).isEqualTo(403);

        HttpResponse<String> cli = http.send(HttpRequest.newBuilder(uri("/api/v1/conntrack/flush"))
                .header(AdminRequestGuard.ACTION_HEADER, "flush").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cli.statusCode()).isEqualTo(200);
        assertThat(cli.body()).contains("flushed");
    }

    @Test
    void aForeignHostOnALoopbackBindIsRefused() throws Exception {
        assertThat(raw("GET /api/v1/routes HTTP/1.1\r\nHost: rebound.evil.example\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 403").contains("rebound.evil.example");
        assertThat(raw("GET /healthz HTTP/1.1\r\nHost: localhost:" + sb.adminAddress().getPort()
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void anAdminBoundBeyondLoopbackWarnsAtStartAndOneOnLoopbackDoesNot() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(io.switchboard.admin.AdminServer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
                new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        logger.addAppender(events);
        Path empty = java.nio.file.Files.createDirectory(dir.resolve("empty"));
        try {
            try (Switchboard loopback = Switchboard.start(SwitchboardConfig.defaults(empty)
                    .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(1))) {
                assertThat(loopback.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
            }
            assertThat(events.list).noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN);
            try (Switchboard open = Switchboard.start(SwitchboardConfig.defaults(empty)
                    .withAdmin(new InetSocketAddress("0.0.0.0", 0)).withWorkers(1))) {
                assertThat(open.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
                assertThat(events.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                        .singleElement()
                        .satisfies(e -> {
                            assertThat(e.getFormattedMessage()).contains("listens beyond loopback");
                            assertThat(e.getKeyValuePairs()).anySatisfy(kv -> {
                                assertThat(kv.key).isEqualTo("address");
                                assertThat(String.valueOf(kv.value)).contains(":" + open.adminAddress().getPort());
                            });
                        });
            }
        } finally {
            logger.detachAppender(events);
        }
    }
}
