package io.switchboard.server;

import static io.switchboard.server.L7BalancingIT.PORT;
import static io.switchboard.server.L7BalancingIT.TARGET;
import static io.switchboard.server.L7BalancingIT.httpService;
import static io.switchboard.server.L7BalancingIT.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.switchboard.backend.DemoBackend;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONNECT, which asks a proxy for a tunnel, is answered by Switchboard with 405 and never forwarded
 * to a Service's endpoints, whichever protocol the client speaks (HTTP/1.1, HTTP/2, HTTP/2's
 * extended CONNECT) and whichever the endpoints are spoken to in (HTTP/1.1 for {@code http},
 * HTTP/2 for {@code kubernetes.io/h2c}); each counts as a 4xx request of the Service.
 */
class ConnectIT {

    /** A Service whose endpoints are spoken to in HTTP/1.1, and one whose endpoints get HTTP/2. */
    private static final String HTTP1_VIP = "127.0.18.1";
    private static final String H2C_VIP = "127.0.18.2";
    private static final String ENDPOINT = "127.0.18.11";

    @TempDir
    Path dir;

    private Switchboard sb;
    private DemoBackend endpoint;

    @BeforeEach
    void start() throws Exception {
        endpoint = DemoBackend.start("a", new InetSocketAddress(ENDPOINT, TARGET), 1);
        Manifests.write(dir, "svc.yaml", httpService("web", HTTP1_VIP, "http", ""), slice("web", List.of(ENDPOINT)),
                httpService("h2", H2C_VIP, "kubernetes.io/h2c", ""), slice("h2", List.of(ENDPOINT)));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    @AfterEach
    void stop() {
        if (sb != null) {
            sb.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void curlUsingTheServiceAsItsForwardProxyGets405AndNoTunnel() throws Exception {
        for (String vip : List.of(HTTP1_VIP, H2C_VIP)) {
            // --proxytunnel: curl asks for a tunnel with CONNECT example.invalid:80, as through any proxy.
            Process curl = new ProcessBuilder("curl", "-s", "--max-time", "10", "--proxytunnel",
                    "-x", "http://" + vip + ":" + PORT, "-o", "/dev/null", "-w", "%{http_connect}",
                    "http://example.invalid/").redirectErrorStream(true).start();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as("the CONNECT response curl got from %s", vip).isEqualTo("405");
            assertThat(curl.exitValue()).as("curl: the tunnel failed (CURLE_RECV_ERROR)").isEqualTo(56);
        }
        assertThat(endpoint.acceptedConnections()).as("connections the endpoint was asked for").isZero();
        assertRefusedConnectsCounted("web", 1);
        assertRefusedConnectsCounted("h2", 1);
    }

    @Test
    void anHttp1ConnectIs405ThenTheConnectionClosesWithoutReadingWhatTheClientMeantForTheTunnel() throws Exception {
        for (String vip : List.of(HTTP1_VIP, H2C_VIP)) {
            try (RawHttp c = new RawHttp(vip, PORT)) {
                // The head, then at once the start of a TLS handshake, as a client eager for its tunnel sends.
                c.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
                        + "\u0016\u0003\u0001\u0000\u0004abcd");
                RawHttp.Response r = c.read(false);
                assertThat(r.status()).isEqualTo(405);
                assertThat(r.headers()).containsEntry("connection", "close");
                assertThat(r.text()).contains("CONNECT is not supported");
                assertThat(c.closedByPeer()).as("closed after the answer").isTrue();
            }
            try (RawHttp c = new RawHttp(vip, PORT)) {
                assertThat(c.get("/").status()).as("other methods go on to the endpoint").isEqualTo(200);
            }
        }
        assertThat(endpoint.httpRequests()).as("requests the endpoint got: the two GETs").isEqualTo(2);
        assertRefusedConnectsCounted("web", 1);
        assertRefusedConnectsCounted("h2", 1);
    }

    @Test
    void http2ConnectAndExtendedConnectAre405OnTheirStreamsAndTheConnectionGoesOn() throws Exception {
        for (String vip : List.of(HTTP1_VIP, H2C_VIP)) {
            try (RawH2 h = new RawH2(vip, PORT)) {
                // RFC 9113 section 8.5: only :method and :authority; the stream then carries the tunnel.
                h.headers(1, new DefaultHttp2Headers().method("CONNECT").authority("example.com:443"), false);
                h.data(1, 100, false);
                // RFC 8441, although the proxy never offered it (no SETTINGS_ENABLE_CONNECT_PROTOCOL).
                Http2Headers extended = new DefaultHttp2Headers(false).method("CONNECT").scheme("http")
                        .path("/chat").authority("test");
                extended.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket");
                h.headers(3, extended, false);
                h.headers(5, "GET", true);
                h.flush();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.statuses)
                        .as("statuses by stream (GOAWAY %d, resets %s)", h.goAway.get(), h.resetCodes)
                        .containsEntry(1, 405).containsEntry(3, 405).containsEntry(5, 200));
                // The client's side of each CONNECT stream is still open: once answered, it is reset.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.resetCodes)
                        .containsOnlyKeys(1, 3));
                assertThat(h.resetCodes.values()).containsOnly((long) RawH2.NO_ERROR);
                assertThat(h.ended).as("each answer ended its stream before the reset").contains(1, 3, 5);
                assertThat(h.goAway.get()).as("the connection goes on").isEqualTo(-1);
            }
        }
        assertThat(endpoint.httpRequests()).as("requests the endpoint got: the two GETs").isEqualTo(2);
        assertRefusedConnectsCounted("web", 2);
        assertRefusedConnectsCounted("h2", 2);
    }

    /** The Service's requests answered 4xx: the CONNECTs, refused by the proxy. */
    private void assertRefusedConnectsCounted(String service, int connects) throws Exception {
        String m = Clients.admin(sb, "/metrics").body();
        String series = "switchboard_service_requests_total{class=\"4xx\",port=\"web\",protocol=\"TCP\",service=\"test/"
                + service + "\"}";
        assertThat(Clients.metric(m, series)).as(series).isEqualTo((double) connects);
    }

}
