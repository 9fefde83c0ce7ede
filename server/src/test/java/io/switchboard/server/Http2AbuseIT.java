package io.switchboard.server;

import static io.switchboard.server.L7BalancingIT.PORT;
import static io.switchboard.server.L7BalancingIT.TARGET;
import static io.switchboard.server.L7BalancingIT.httpService;
import static io.switchboard.server.L7BalancingIT.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.switchboard.backend.DemoBackend;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One HTTP/2 client must not take a Service away from the others (issue 11, cases 1 and 2): streams
 * whose bodies never come, and rapid resets spread over many connections, both through real
 * sockets against a real endpoint whose accepted connections are counted.
 */
class Http2AbuseIT {

    private static final String VIP = "127.0.11.20";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Switchboard sb;
    private DemoBackend endpoint;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (sb != null) {
            sb.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private void start(String annotations) throws Exception {
        endpoint = DemoBackend.start("a", new InetSocketAddress("127.0.10.21", TARGET), 1);
        Manifests.write(dir, "svc.yaml", httpService("web", VIP, "http", annotations),
                slice("web", List.of("127.0.10.21")));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    private static OkHttpClient h2() {
        return new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .connectionPool(new ConnectionPool(1, 1, TimeUnit.MINUTES))
                .callTimeout(Duration.ofSeconds(10)).build();
    }

    private static void assertServed(OkHttpClient client, int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            try (Response r = client.newCall(new Request.Builder().url("http://" + VIP + ":" + PORT + "/").build())
                    .execute()) {
                assertThat(r.code()).isEqualTo(200);
            }
        }
    }

    @Test
    void streamsWhoseBodiesNeverComeHoldNoEndpointConnectionAndEndIn408() throws Exception {
        start("switchboard.io/http-body-timeout: 2s");
        List<RawH2> attackers = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            RawH2 h = new RawH2(VIP, PORT);
            closeables.add(h);
            attackers.add(h);
            for (int i = 0; i < 100; i++) {
                h.headers(1 + 2 * i, "POST", false);
            }
            h.flush();
        }
        // The client: 1,000 streams on one connection that allows 100.
        RawH2 greedy = new RawH2(VIP, PORT);
        closeables.add(greedy);
        for (int i = 0; i < 1000; i++) {
            greedy.headers(1 + 2 * i, "POST", false);
        }
        greedy.flush();
        OkHttpClient client = h2();
        assertServed(client, 50);
        System.out.printf("4 connections of 100 stalled POST streams and one of 1,000: %d endpoint connections accepted%n",
                endpoint.acceptedConnections());
        assertThat(endpoint.acceptedConnections()).as("endpoint connections while the bodies stall")
                .isLessThanOrEqualTo(4);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(greedy.goAway.get())
                .as("refused streams beyond the limit end that connection").isEqualTo(RawH2.ENHANCE_YOUR_CALM));
        for (RawH2 h : attackers) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(h.statuses.values())
                    .as("each stream answered 408 once its body stopped for 2 s")
                    .hasSize(100).containsOnly(408));
            assertThat(h.goAway.get()).as("a connection within the limits stays").isEqualTo(-1);
        }
        assertServed(client, 5);
        client.connectionPool().evictAll();
    }

    @Test
    void resetsSpreadOverManyConnectionsCostNoEndpointConnectionAndEndInGoAway() throws Exception {
        start("");
        List<RawH2> attackers = new ArrayList<>();
        for (int c = 0; c < 300; c++) {
            RawH2 h = new RawH2(VIP, PORT);
            closeables.add(h);
            attackers.add(h);
            for (int i = 0; i < 199; i++) {
                h.headers(1 + 2 * i, "GET", true).reset(1 + 2 * i);
            }
            h.flush();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(attackers.stream()
                .filter(h -> h.goAway.get() == RawH2.ENHANCE_YOUR_CALM).count())
                .as("connections ended once their address spent its reset budget (1,000 per 10 s); first GOAWAY codes: %s",
                        goAways(attackers))
                .isGreaterThanOrEqualTo(280));
        System.out.printf("300 x 199 HEADERS+RST_STREAM: %d endpoint connections accepted, %d resets refused,"
                + " first GOAWAY codes %s%n", endpoint.acceptedConnections(), sb.dataPlane().resetBudget().refused(),
                goAways(attackers));
        assertThat(endpoint.acceptedConnections()).as("endpoint connections for 59,700 reset streams")
                .isLessThan(100);
        long refused = sb.dataPlane().resetBudget().refused();
        assertThat(refused).isGreaterThanOrEqualTo(280);
        Matcher metric = Pattern.compile("(?m)^switchboard_http2_client_resets_refused_total (\\S+)$")
                .matcher(Clients.admin(sb, "/metrics").body());
        assertThat(metric.find()).as("the refused resets are a metric").isTrue();
        assertThat(Double.parseDouble(metric.group(1))).isGreaterThanOrEqualTo(refused);
        OkHttpClient client = h2();
        assertServed(client, 20);
        client.connectionPool().evictAll();
    }

    @Test
    void malformedRequestHeadsResetTheirStreamAsProtocolErrorsAndLogNoWarning() throws Exception {
        start("");
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "io.switchboard.dataplane.http.Http2ClientConnection");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        closeables.add(() -> log.detachAppender(events));
        RawH2 h = new RawH2(VIP, PORT);
        closeables.add(h);
        // Malformed requests (RFC 9113 section 8.1.1) that only the conversion to an HTTP/1 request
        // notices: a client's error, the stream's alone.
        List<Http2Headers> malformed = List.of(
                new DefaultHttp2Headers(false).path("/").scheme("http").authority("test"),
                new DefaultHttp2Headers(false).method("GET").scheme("http").authority("test"),
                new DefaultHttp2Headers(false).method("G T").path("/").scheme("http").authority("test"),
                new DefaultHttp2Headers(false).method("GET").path("/a b").scheme("http").authority("test"),
                new DefaultHttp2Headers(false).method("CONNECT"));
        for (int i = 0; i < malformed.size(); i++) {
            h.headers(1 + 2 * i, malformed.get(i), true);
        }
        int good = 1 + 2 * malformed.size();
        h.headers(good, "GET", true);
        h.flush();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(h.statuses).containsEntry(good, 200);
            assertThat(h.resetCodes).hasSize(malformed.size());
        });
        assertThat(h.resetCodes.values()).as("reset codes of the malformed streams")
                .containsOnly((long) RawH2.PROTOCOL_ERROR);
        assertThat(h.goAway.get()).as("the connection goes on").isEqualTo(-1);
        assertThat(events.list).as("a client's malformed request is no warning of ours")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
    }

    @Test
    void anAnswerBeforeTheRequestBodyEndsReachesAClientWithASmallWindowWholeBeforeTheReset() throws Exception {
        start("");
        // A client reading at once, but with 16 KiB stream windows (as a flow-controlling client sets them).
        RawH2 h = new RawH2(VIP, PORT, 16 * 1024);
        closeables.add(h);
        // 100,000 response bytes, answered as soon as the endpoint has the head (the proxy sends it once
        // 64 KiB of body are in), while the client is still sending its body.
        h.headers(1, new DefaultHttp2Headers().method("POST").path("/bytes/100000").scheme("http").authority("test"),
                false);
        h.data(1, 80 * 1024, false);
        h.flush();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.resetCodes).containsKey(1));
        assertThat(h.statuses).containsEntry(1, 200);
        assertThat(h.received.getOrDefault(1, 0)).as("response bytes before the reset").isEqualTo(100_000);
        assertThat(h.ended).as("the response ended (END_STREAM) before the reset").contains(1);
        assertThat(h.resetCodes.get(1)).isEqualTo((long) RawH2.NO_ERROR);
    }

    @Test
    void aClientResetOrGoneWhileItsResponseWaitsForItsWindowIsNotAnsweredWithAResetNorLogged() throws Exception {
        start("");
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "io.switchboard.dataplane.http");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        closeables.add(() -> log.detachAppender(events));
        // Stream windows of 0: the responses' DATA waits in the proxy's flow controller.
        RawH2 h = new RawH2(VIP, PORT, 0);
        closeables.add(h);
        h.headers(1, new DefaultHttp2Headers().method("GET").path("/bytes/100000").scheme("http").authority("test"),
                true);
        h.flush();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.statuses).containsKey(1));
        h.reset(1);
        h.headers(3, "GET", true);
        h.flush();
        // The proxy handles the reset before stream 3, and would answer it before stream 3's HEADERS.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.statuses).containsKey(3));
        assertThat(h.resetCodes).as("RFC 9113 section 5.4.2: no RST_STREAM in response to a RST_STREAM")
                .doesNotContainKey(1);
        // A client going away mid-download, with responses waiting on three streams.
        RawH2 gone = new RawH2(VIP, PORT, 0);
        for (int i = 0; i < 3; i++) {
            gone.headers(1 + 2 * i, new DefaultHttp2Headers().method("GET").path("/bytes/100000").scheme("http")
                    .authority("test"), true);
        }
        gone.flush();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gone.statuses).hasSize(3));
        gone.close();
        OkHttpClient client = h2();
        assertServed(client, 3);
        client.connectionPool().evictAll();
        Thread.sleep(300);
        assertThat(events.list).as("a client leaving is no warning of ours")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
    }

    @Test
    void dataAClientHadInFlightWhenItsStreamWasResetIsIgnoredNotAnsweredWithResetsThatEndTheConnection()
            throws Exception {
        start("");
        RawH2 h = new RawH2(VIP, PORT);
        closeables.add(h);
        // Netty alone answered each DATA frame below with a RST_STREAM STREAM_CLOSED, 59 an upload,
        // counted against its limit of 200 resets sent in 30 s: the fourth upload ended the connection.
        int uploads = 8;
        for (int i = 0; i < uploads; i++) {
            int stream = 1 + 2 * i;
            // Answered as soon as the endpoint has the head, while the client is still uploading: the
            // proxy ends the stream with the response and resets it (NO_ERROR, RFC 9113 section 8.1).
            h.headers(stream, new DefaultHttp2Headers().method("POST").path("/").scheme("http").authority("test"),
                    false);
            h.data(stream, 80 * 1024, false);
            h.flush();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.resetCodes)
                    .as("reset of stream %d (GOAWAY %d)", stream, h.goAway.get()).containsKey(stream));
            // What the client had sent by the time the reset reached it: the rest of a 1 MiB window.
            // RawH2 does not wait for the server's WINDOW_UPDATE: had the discarded bytes not been given
            // back to the connection window (64 KiB), this would end the connection (FLOW_CONTROL_ERROR).
            h.data(stream, (1 << 20) - 80 * 1024, false);
            h.flush();
        }
        // RFC 9113 section 5.1: frames on a stream closed by a RST_STREAM we sent MUST be ignored.
        h.headers(1 + 2 * uploads, "GET", true);
        h.flush();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.statuses)
                .as("the request after the uploads (GOAWAY %d, %d resets)", h.goAway.get(), h.resets.get())
                .containsEntry(1 + 2 * uploads, 200));
        assertThat(h.goAway.get()).as("the connection goes on").isEqualTo(-1);
        assertThat(h.resets.get()).as("one reset per answered upload").isEqualTo(uploads);
        assertThat(h.resetCodes.values()).containsOnly((long) RawH2.NO_ERROR);
    }

    /** How many connections got which first GOAWAY code (-1: none). */
    private static Map<Long, Long> goAways(List<RawH2> connections) {
        return connections.stream().collect(Collectors.groupingBy(h -> h.goAway.get(), TreeMap::new,
                Collectors.counting()));
    }
}
