package io.switchboard.server;

import static io.switchboard.server.L7BalancingIT.PORT;
import static io.switchboard.server.L7BalancingIT.TARGET;
import static io.switchboard.server.L7BalancingIT.httpService;
import static io.switchboard.server.L7BalancingIT.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.switchboard.backend.DemoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP proxying done right: bad input refused before any endpoint, streaming, upgrades, framing. */
class L7ProtocolIT {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Switchboard sb;

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private DemoBackend backend(String name, String address) throws InterruptedException {
        DemoBackend b = DemoBackend.start(name, new InetSocketAddress(address, TARGET), 1);
        closeables.add(b);
        return b;
    }

    private void start(String vip, String appProtocol, String annotations, List<String> endpoints) throws Exception {
        Manifests.write(dir, "svc.yaml", httpService("web", vip, appProtocol, annotations), slice("web", endpoints));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    /** Sends {@code raw} on a fresh connection; returns the status and whether the proxy then closed. */
    private static int[] refused(String vip, String raw) throws IOException {
        try (RawHttp c = new RawHttp(vip, PORT)) {
            c.send(raw);
            RawHttp.Response r = c.read(false);
            return new int[] {r.status(), c.closedByPeer() ? 1 : 0};
        }
    }

    @Test
    void aClientThatEndsItsSideBeforeAWholeFirstRequestIsClosedNotLeftHalfOpen() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.1", "http", "", List.of("127.0.12.1"));
        // Nothing sent, a partial HTTP/1 head, and an HTTP/2 preface with nothing after it.
        for (String sent : List.of("", "GET / HT", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
            try (RawHttp c = new RawHttp("127.0.13.1", PORT)) {
                c.send(sent);
                c.shutdownOutput();
                assertThat(c.closedByPeerAfterAnything()).as("closed after sending %s",
                                sent.isEmpty() ? "nothing" : sent.trim())
                        .isTrue();
            }
        }
        // The count drops as the proxy's close completes, a moment after the client read the end.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sb.dataPlane().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sb.dataPlane().openConnections()).isZero();
    }

    @Test
    void ambiguousAndMalformedRequestsGetTheirStatusCloseAndNeverReachAnEndpoint() throws Exception {
        DemoBackend a = backend("a", "127.0.12.1");
        start("127.0.13.1", "http", "", List.of("127.0.12.1"));
        String vip = "127.0.13.1";
        String big = "x".repeat(20_000);
        String[][] cases = {
            {"400", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
            {"400", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"},
            {"400", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\nhello"},
            {"400", "GET / HTTP/1.1\r\nHost: t\r\nX-Folded: one\r\n two\r\n\r\n"},
            {"400", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
            {"400", "GET / HTTP/1.1\r\n\r\n"},
            {"431", "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + big + "\r\n\r\n"},
            {"414", "GET /" + big + " HTTP/1.1\r\nHost: t\r\n\r\n"},
        };
        for (String[] c : cases) {
            int[] result = refused(vip, c[1]);
            assertThat(result[0]).as(c[1].substring(0, Math.min(60, c[1].length()))).isEqualTo(Integer.parseInt(c[0]));
            assertThat(result[1]).as("connection closed after refusing").isEqualTo(1);
        }
        assertThat(a.httpRequests()).as("requests that reached the endpoint").isZero();
        try (RawHttp c = new RawHttp(vip, PORT)) {
            assertThat(c.get("/").status()).as("a good request still works").isEqualTo(200);
        }
    }

    @Test
    void aClientSendingItsHeadersTooSlowlyGets408() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.2", "http", "", List.of("127.0.12.1"));
        try (RawHttp c = new RawHttp("127.0.13.2", PORT)) {
            long t0 = System.nanoTime();
            c.send("GET / HTTP/1.1\r\n");
            for (int i = 0; i < 14; i++) {
                Thread.sleep(800);
                try {
                    c.send("X");
                } catch (IOException closed) {
                    break;
                }
            }
            RawHttp.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(408);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(13));
        }
    }

    @Test
    void aMalformedEndpointResponseIs502ForThatRequestOnly() throws Exception {
        backend("good", "127.0.12.1");
        ServerSocket bad = new ServerSocket();
        bad.bind(new InetSocketAddress("127.0.12.2", TARGET));
        closeables.add(bad);
        ExecutorService pool = Executors.newCachedThreadPool();
        closeables.add(pool::shutdownNow);
        pool.execute(() -> {
            while (!bad.isClosed()) {
                try (Socket s = bad.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.1 two hundred\r\nX: y\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    Thread.sleep(200);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        start("127.0.13.3", "http", "switchboard.io/outlier-consecutive-errors: \"100\"",
                List.of("127.0.12.1", "127.0.12.2"));
        try (RawHttp c = new RawHttp("127.0.13.3", PORT)) {
            int good = 0;
            int badGateway = 0;
            for (int i = 0; i < 6; i++) {
                // POST is not idempotent: the proxy cannot retry it after the endpoint answered garbage.
                c.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
                RawHttp.Response r = c.read(false);
                if (r.status() == 502) {
                    badGateway++;
                } else if (r.status() == 200) {
                    good++;
                }
            }
            assertThat(badGateway).isEqualTo(3);
            assertThat(good).as("the same client connection kept working").isEqualTo(3);
        }
    }

    @Test
    void expectContinueAndPipelinedRequestsAreHandledInOrder() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.4", "http", "", List.of("127.0.12.1"));
        try (RawHttp c = new RawHttp("127.0.13.4", PORT)) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = c.read(false);
            assertThat(interim.status()).isEqualTo(100);
            c.send("hello");
            RawHttp.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello");

            c.send("GET /p1 HTTP/1.1\r\nHost: t\r\n\r\nGET /p2 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET /p4 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(c.read(false).headers().get("x-path")).isEqualTo("/p1");
            assertThat(c.read(false).headers().get("x-path")).isEqualTo("/p2");
            assertThat(c.read(false).text()).isEqualTo("abc");
            assertThat(c.read(false).headers().get("x-path")).isEqualTo("/p4");
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestsGetsEveryResponseThenEndOfStream() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.11", "http", "", List.of("127.0.12.1"));
        try (RawHttp c = new RawHttp("127.0.13.11", PORT)) {
            c.send("GET /delay/300 HTTP/1.1\r\nHost: t\r\n\r\nGET /p2 HTTP/1.1\r\nHost: t\r\n\r\n");
            c.shutdownOutput();
            assertThat(c.read(false).status()).isEqualTo(200);
            assertThat(c.read(false).headers().get("x-path")).isEqualTo("/p2");
            assertThat(c.closedByPeer()).as("closed once answered").isTrue();
        }
        try (RawHttp c = new RawHttp("127.0.13.11", PORT)) {
            // A body cut short by the half-close can never complete: the connection closes, and no whole
            // response comes back. The echo endpoint streams what it has read, so the start of its
            // answer may or may not have gone out before the close; its end never does.
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
            c.shutdownOutput();
            String got = c.untilClosed();
            assertThat(got).doesNotContain("\r\n0\r\n\r\n");
            if (!got.isEmpty()) {
                assertThat(got).startsWith("HTTP/1.1 200 OK").endsWith("3\r\nabc\r\n");
            }
        }
        try (RawHttp c = new RawHttp("127.0.13.11", PORT)) {
            assertThat(c.get("/").status()).as("an idle connection half-closed is simply closed").isEqualTo(200);
            c.shutdownOutput();
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void hopByHopHeadersAreRemovedAndForwardingHeadersAppended() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.5", "http", "", List.of("127.0.12.1"));
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.14.9", 0));
            s.connect(new InetSocketAddress("127.0.13.5", PORT));
            s.getOutputStream().write(("GET /headers HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, X-Private\r\n"
                    + "X-Private: secret\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\n"
                    + "X-Forwarded-For: 10.9.9.9\r\nX-Kept: yes\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[8192];
            int n = s.getInputStream().read(buf);
            String response = new String(buf, 0, n, StandardCharsets.US_ASCII);
            assertThat(response).contains("x-kept: yes").contains("x-forwarded-for: 10.9.9.9, 127.0.14.9")
                    .contains("x-forwarded-proto: http").contains("forwarded: for=127.0.14.9;proto=http")
                    .doesNotContain("x-private").doesNotContain("keep-alive: timeout")
                    .doesNotContain("proxy-authorization");
        }
    }

    @Test
    void upgradesAreTunnelledAfter101IncludingWebSockets() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.6", "kubernetes.io/ws", "", List.of("127.0.12.1"));
        {
            byte[] echoed = new byte[29];
            int off = 0;
            try (Socket raw = new Socket()) {
                raw.connect(new InetSocketAddress("127.0.13.6", PORT));
                raw.setSoTimeout(5000);
                OutputStream out = raw.getOutputStream();
                out.write("GET /raw HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] head = readUntilBlankLine(raw.getInputStream());
                assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
                out.write("anything at all, not HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                while (off < echoed.length) {
                    off += raw.getInputStream().read(echoed, off, echoed.length - off);
                }
                assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("anything at all, not HTTP\r\n\r\n");
            }
        }
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.13.6:" + PORT + "/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("hello", true);
        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("a: hello");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void aTunnelPassesOnTheClientsFinAndClosesAfterTheIdleTimeout() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.12", "kubernetes.io/ws", "switchboard.io/idle-timeout: 3s", List.of("127.0.12.1"));
        try (Socket raw = upgradedToEcho("127.0.13.12")) {
            long t0 = System.nanoTime();
            raw.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            raw.shutdownOutput();
            assertThat(new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .as("the echo, then end of stream once the endpoint saw the FIN and closed").isEqualTo("abc");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("by the FIN, not the idle timeout")
                    .isLessThan(Duration.ofSeconds(2));
        }
        try (Socket raw = upgradedToEcho("127.0.13.12")) {
            long t0 = System.nanoTime();
            raw.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            assertThat(raw.getInputStream().read()).isEqualTo('x');
            assertThat(raw.getInputStream().read()).as("closed when quiet for the idle timeout").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(2900),
                    Duration.ofMillis(4500));
        }
    }

    /** A raw connection switched to the demo endpoint's echo protocol through the proxy. */
    private static Socket upgradedToEcho(String vip) throws IOException {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress(vip, PORT));
        raw.setSoTimeout(5000);
        raw.getOutputStream().write("GET /raw HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(readUntilBlankLine(raw.getInputStream()), StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 101");
        return raw;
    }

    private static byte[] readUntilBlankLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                break;
            }
        }
        return out.toByteArray();
    }

    @Test
    void anEndpointAtItsRequestLimitGetsNoMoreAndTheRequestGets503() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.7", "http", "switchboard.io/http-max-requests-per-endpoint: \"1\"", List.of("127.0.12.1"));
        try (RawHttp slow = new RawHttp("127.0.13.7", PORT); RawHttp next = new RawHttp("127.0.13.7", PORT)) {
            slow.send("GET /delay/1500 HTTP/1.1\r\nHost: t\r\n\r\n");
            Thread.sleep(300);
            assertThat(next.get("/").status()).isEqualTo(503);
            assertThat(slow.read(false).status()).isEqualTo(200);
            assertThat(next.get("/").status()).as("the slot is free again").isEqualTo(200);
        }
    }

    @Test
    void anEndpointThatAcceptsButNeverAnswersCostsARetryNotAHang() throws Exception {
        backend("a", "127.0.12.1");
        ServerSocket silent = new ServerSocket();
        silent.bind(new InetSocketAddress("127.0.12.2", TARGET), 50);
        closeables.add(silent);
        start("127.0.13.9", "http", "switchboard.io/http-try-timeout: 300ms", List.of("127.0.12.1", "127.0.12.2"));
        try (RawHttp c = new RawHttp("127.0.13.9", PORT)) {
            for (int i = 0; i < 6; i++) {
                RawHttp.Response r = c.get("/");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.headers().get("x-backend")).isEqualTo("a");
            }
        }
    }

    @Test
    void sixtyFourMebibyteBodiesArriveIntactBothWaysWithBoundedProxyMemory() throws Exception {
        // The endpoint runs in its own JVM, so the Netty memory measured here is the proxy's alone.
        Process backend = new ProcessBuilder("java", "-Xmx256m", "-jar", "target/switchboard.jar", "backend",
                "--listen", "127.0.12.3:" + TARGET, "--name", "big").redirectErrorStream(true)
                .redirectOutput(dir.resolve("backend.log").toFile()).start();
        closeables.add(() -> {
            backend.destroy();
            backend.waitFor(5, TimeUnit.SECONDS);
        });
        start("127.0.13.8", "http", "", List.of("127.0.12.3"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.12.3", TARGET), 200);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        int size = 64 << 20;
        byte[] chunk = new byte[1 << 20];
        new Random(11).nextBytes(chunk);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 64; i++) {
            sent.update(chunk);
        }
        byte[] expected = sent.digest();
        AtomicLong peak = new AtomicLong();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.13.8", PORT));
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    out.write(("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 64; i++) {
                        out.write(chunk);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] head = readUntilBlankLine(in);
            assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("transfer-encoding: chunked");
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long total = 0;
            while (true) {
                String sizeLine = line(in);
                int n = Integer.parseInt(sizeLine.trim(), 16);
                if (n == 0) {
                    line(in);
                    break;
                }
                byte[] data = in.readNBytes(n);
                received.update(data);
                total += n;
                line(in);
                if (total < size / 2) {
                    // A slow reader for the first half.
                    if ((total & ((1 << 20) - 1)) < n) {
                        Thread.sleep(15);
                    }
                    peak.accumulateAndGet(usedNettyMemory(), Math::max);
                }
            }
            upload.get(60, TimeUnit.SECONDS);
            assertThat(total).isEqualTo(size);
            assertThat(received.digest()).isEqualTo(expected);
        }
        assertThat(peak.get()).as("proxy memory while streaming 64 MiB each way").isLessThan(16L << 20);
        System.out.printf("64 MiB each way through the HTTP proxy: peak proxy buffer memory %.1f MiB%n",
                peak.get() / 1048576.0);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    private static long usedNettyMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            return p.metric().usedDirectMemory() + p.metric().usedHeapMemory();
        }
        throw new AssertionError("allocator without metrics");
    }
    /** One raw request on a connection of its own; the status, and the body (the endpoint's /headers echo). */
    private static RawHttp.Response once(String vip, String request) throws Exception {
        try (RawHttp c = new RawHttp(vip, PORT)) {
            return c.send(request).read(false);
        }
    }

    @Test
    void requestHeadsAreRefusedOrNormalisedAsRfc9112Says() throws Exception {
        backend("a", "127.0.12.1");
        start("127.0.13.40", "http", "", List.of("127.0.12.1"));
        String vip = "127.0.13.40";
        assertThat(once(vip, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status()).isEqualTo(400);
        assertThat(once(vip, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n").status()).isEqualTo(400);
        assertThat(once(vip, "GET / HTTP/1.1\r\nHost: good@evil.example/x\r\n\r\n").status()).isEqualTo(400);
        // Absolute form: its authority is the Host, and the endpoint gets origin form.
        RawHttp.Response absolute = once(vip, "GET http://a.example:8080/headers?x=1 HTTP/1.1\r\nHost: b.example\r\n\r\n");
        assertThat(absolute.status()).isEqualTo(200);
        assertThat(absolute.text()).contains("host: a.example:8080").doesNotContain("b.example");
        // Naming Host in Connection does not strip it.
        assertThat(once(vip, "GET /headers HTTP/1.1\r\nHost: kept.example\r\nConnection: host\r\n\r\n").text())
                .contains("host: kept.example");
        // A coding this proxy does not decode.
        assertThat(once(vip, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: identity, chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\n\r\n").status()).isEqualTo(501);
        assertThat(once(vip, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\n\r\n").status()).isEqualTo(501);
        assertThat(once(vip, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\n\r\n").text()).isEqualTo("hi");
        // Versions: a later 1.x is served as 1.1; another major version is 505; the name is case-sensitive.
        assertThat(once(vip, "GET / HTTP/1.2\r\nHost: t\r\n\r\n").status()).isEqualTo(200);
        assertThat(once(vip, "GET / HTTP/9.9\r\nHost: t\r\n\r\n").status()).isEqualTo(505);
        assertThat(once(vip, "GET / http/1.1\r\nHost: t\r\n\r\n").status()).isEqualTo(400);
        assertThat(once(vip, "GET / HTTP/1.10\r\nHost: t\r\n\r\n").status()).isEqualTo(400);
        // The protocol the client spoke is said anew, whatever the client claimed.
        assertThat(once(vip, "GET /headers HTTP/1.1\r\nHost: t\r\nX-Forwarded-Proto: https\r\n\r\n").text())
                .contains("x-forwarded-proto: http").doesNotContain("x-forwarded-proto: https");
    }

    /** An endpoint at {@code address} that answers every request with {@code response}, byte for byte. */
    private void cannedEndpoint(String address, String response) throws IOException {
        ServerSocket raw = new ServerSocket();
        raw.bind(new InetSocketAddress(address, TARGET), 50);
        closeables.add(raw);
        Thread t = new Thread(() -> {
            while (!raw.isClosed()) {
                try (Socket s = raw.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                } catch (IOException e) {
                    // The proxy closed this connection: take the next.
                }
            }
        }, "canned-endpoint");
        t.setDaemon(true);
        t.start();
    }

    /**
     * An endpoint at {@code address} that keeps each connection and answers every request in turn:
     * a HEAD with the head a GET would get (its Content-Length and no body, as RFC 9110 section 9.3.2
     * has it), anything else with {@code head} and {@code body}.
     */
    private void keepAliveEndpoint(String address, String head, String body) throws IOException {
        ServerSocket raw = new ServerSocket();
        raw.bind(new InetSocketAddress(address, TARGET), 50);
        closeables.add(raw);
        Thread t = new Thread(() -> {
            while (!raw.isClosed()) {
                try {
                    Socket s = raw.accept();
                    // A thread per connection: the proxy keeps connections, and each of its loops has its own.
                    Thread serve = new Thread(() -> answerEach(s, head, body), "keep-alive-endpoint-connection");
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException e) {
                    // Closed at the end of the test.
                }
            }
        }, "keep-alive-endpoint");
        t.setDaemon(true);
        t.start();
    }

    private static void answerEach(Socket s, String head, String body) {
        try (s) {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String requestLine;
            while ((requestLine = in.readLine()) != null) {
                String l;
                while ((l = in.readLine()) != null && !l.isEmpty()) {
                    // the request's headers
                }
                String answer = head + "Content-Length: " + body.length() + "\r\n\r\n"
                        + (requestLine.startsWith("HEAD ") ? "" : body);
                s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        } catch (IOException e) {
            // The proxy closed this connection.
        }
    }

    @Test
    void aResponseToHeadHasNoBodyAndTheConnectionsNextResponseIsFramedAsSent() throws Exception {
        // A reason phrase of its own and header names in the endpoint's spelling, both passed on as sent;
        // the HEAD response's Content-Length names a body that never comes, which must not be awaited.
        keepAliveEndpoint("127.0.12.11", "HTTP/1.1 200 Fine\r\nx-lower: a\r\nServer: canned\r\n", "hello world");
        start("127.0.13.44", "http", "switchboard.io/http-retries: \"0\"", List.of("127.0.12.11"));
        try (RawHttp c = new RawHttp("127.0.13.44", PORT)) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response head = c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
                assertThat(head.status()).as("HEAD %d", i).isEqualTo(200);
                assertThat(head.headers()).containsEntry("content-length", "11").containsEntry("x-lower", "a");
                RawHttp.Response get = c.get("/");
                assertThat(get.status()).as("GET %d", i).isEqualTo(200);
                assertThat(get.text()).isEqualTo("hello world");
                assertThat(get.headers()).containsEntry("server", "canned");
            }
        }
        try (Socket s = new Socket("127.0.13.44", PORT)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);
            StringBuilder response = new StringBuilder();
            byte[] buf = new byte[4096];
            int n;
            while (!response.toString().endsWith("hello world") && (n = s.getInputStream().read(buf)) > 0) {
                response.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            assertThat(response.toString()).startsWith("HTTP/1.1 200 Fine\r\n").contains("\r\nx-lower: a\r\n")
                    .contains("\r\nServer: canned\r\n");
        }
    }

    @Test
    void aStatusThatIsNotThreeDigitsIsAMalformedResponse() throws Exception {
        cannedEndpoint("127.0.12.9", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n");
        start("127.0.13.41", "http", "switchboard.io/http-retries: \"0\"", List.of("127.0.12.9"));
        try (RawHttp c = new RawHttp("127.0.13.41", PORT)) {
            assertThat(c.get("/").status()).isEqualTo(502);
        }
    }

    @Test
    void aBadChunkRightAfterTheEndpointsHeadIs502NotACutConnection() throws Exception {
        cannedEndpoint("127.0.12.10", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        start("127.0.13.42", "http", "switchboard.io/http-retries: \"0\"", List.of("127.0.12.10"));
        for (int i = 0; i < 20; i++) {
            try (RawHttp c = new RawHttp("127.0.13.42", PORT)) {
                assertThat(c.get("/").status()).as("try %d", i).isEqualTo(502);
            }
        }
    }

    @Test
    void aClientThatPipelinesAndNeverReadsHoldsAtMostAboutOneResponse() throws Exception {
        // The endpoint runs in its own JVM, so the Netty memory measured here is the proxy's alone.
        Process backend = new ProcessBuilder("java", "-Xmx256m", "-jar", "target/switchboard.jar", "backend",
                "--listen", "127.0.12.4:" + TARGET, "--name", "bytes").redirectErrorStream(true)
                .redirectOutput(dir.resolve("backend-bytes.log").toFile()).start();
        closeables.add(() -> {
            backend.destroy();
            backend.waitFor(5, TimeUnit.SECONDS);
        });
        start("127.0.13.42", "http", "", List.of("127.0.12.4"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.12.4", TARGET), 200);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        long before = usedNettyMemory();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress("127.0.13.42", PORT));
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                requests.append("GET /bytes/16000 HTTP/1.1\r\nHost: t\r\n\r\n");
            }
            // 32 MB of responses are asked for; the client reads none of them.
            CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the proxy may stop reading us: the write blocks until the socket closes
                }
            });
            long peak = 0;
            for (int i = 0; i < 30; i++) {
                Thread.sleep(100);
                peak = Math.max(peak, usedNettyMemory() - before);
            }
            assertThat(peak).as("proxy buffer memory held for a client that does not read").isLessThan(8L << 20);
            s.close();
            send.cancel(true);
        }
    }

    @Test
    void anEndpointThatFloodsInterimResponsesGets502AfterAFew() throws Exception {
        ServerSocket raw = new ServerSocket();
        raw.bind(new InetSocketAddress("127.0.12.10", TARGET), 50);
        closeables.add(raw);
        Thread t = new Thread(() -> {
            while (!raw.isClosed()) {
                try (Socket s = raw.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    byte[] hint = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < 10_000; i++) {
                        s.getOutputStream().write(hint);
                    }
                } catch (IOException e) {
                    // the proxy gave up on us
                }
            }
        }, "early-hints-flood");
        t.setDaemon(true);
        t.start();
        start("127.0.13.43", "http", "switchboard.io/http-retries: \"0\"", List.of("127.0.12.10"));
        try (RawHttp c = new RawHttp("127.0.13.43", PORT)) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            int interim = 0;
            RawHttp.Response r;
            while ((r = c.read(false)).status() < 200) {
                interim++;
            }
            assertThat(interim).isLessThanOrEqualTo(8);
            assertThat(r.status()).isEqualTo(502);
        }
    }

}
