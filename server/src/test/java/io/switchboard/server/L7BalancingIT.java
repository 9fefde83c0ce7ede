package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.switchboard.backend.DemoBackend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-request balancing: long-lived HTTP/1.1, HTTP/2 and gRPC clients spread over every endpoint. */
class L7BalancingIT {

    static final int PORT = 18090;
    static final int TARGET = 19190;

    @TempDir
    Path dir;

    final List<AutoCloseable> closeables = new ArrayList<>();
    Switchboard sb;

    @AfterEach
    void tearDown() throws Exception {
        Exception first = null;
        if (sb != null) {
            try {
                sb.close();
            } catch (RuntimeException e) {
                first = e;
            }
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static String httpService(String name, String vip, String appProtocol, String annotations) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: test
                  annotations: {%s}
                spec:
                  clusterIP: %s
                  ports:
                  - name: web
                    port: %d
                    targetPort: %d
                    %s
                """.formatted(name, annotations, vip, PORT, TARGET,
                appProtocol.isEmpty() ? "" : "appProtocol: " + appProtocol);
    }

    static String slice(String service, List<String> addresses) {
        StringBuilder eps = new StringBuilder();
        for (String a : addresses) {
            eps.append("\n  - addresses: [").append(a).append("]");
        }
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-slice
                  namespace: test
                  labels: {kubernetes.io/service-name: %s}
                addressType: IPv4
                ports:
                - name: web
                  port: %d
                endpoints:%s
                """.formatted(service, service, TARGET, eps);
    }

    List<DemoBackend> backends(String... addresses) throws InterruptedException {
        List<DemoBackend> out = new ArrayList<>();
        for (int i = 0; i < addresses.length; i++) {
            DemoBackend b = DemoBackend.start(String.valueOf((char) ('a' + i)),
                    new InetSocketAddress(addresses[i], TARGET), 1);
            closeables.add(b);
            out.add(b);
        }
        return out;
    }

    Switchboard start() throws Exception {
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        return sb;
    }

    static final List<String> THREE = List.of("127.0.10.1", "127.0.10.2", "127.0.10.3");

    private static void assertFairShares(Map<String, Integer> counts, int total) {
        assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        double fair = total / 3.0;
        for (var e : counts.entrySet()) {
            assertThat((double) e.getValue()).as("share of " + e.getKey())
                    .isBetween(fair * 0.95, fair * 1.05);
        }
    }

    @Test
    void threeKeepAliveClientsSpreadEvenlyWhereL4PinsEachConnection() throws Exception {
        backends("127.0.10.1", "127.0.10.2", "127.0.10.3");
        Manifests.write(dir, "l7.yaml", httpService("l7", "127.0.11.1", "http", ""), slice("l7", THREE));
        Manifests.write(dir, "l4.yaml", httpService("l4", "127.0.11.2", "", ""), slice("l4", THREE));
        start();
        Map<String, Integer> l7 = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            clients.add(CompletableFuture.runAsync(() -> {
                try (RawHttp conn = new RawHttp("127.0.11.1", PORT)) {
                    for (int i = 0; i < 1000; i++) {
                        RawHttp.Response r = conn.get("/");
                        assertThat(r.status()).isEqualTo(200);
                        l7.merge(r.headers().get("x-backend"), 1, Integer::sum);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        assertFairShares(l7, 3000);

        // The same long-lived connection through the L4 port: every request lands where the connection did.
        Map<String, Integer> l4 = new HashMap<>();
        try (RawHttp conn = new RawHttp("127.0.11.2", PORT)) {
            for (int i = 0; i < 300; i++) {
                l4.merge(conn.get("/").headers().get("x-backend"), 1, Integer::sum);
            }
        }
        assertThat(l4).hasSize(1).containsValue(300);
        System.out.println("one keep-alive connection: L7 " + l7 + ", L4 " + l4);
    }

    @Test
    void oneHttp2ConnectionSpreadsEvenlyOverHttp1AndH2cEndpoints() throws Exception {
        backends("127.0.10.1", "127.0.10.2", "127.0.10.3");
        Manifests.write(dir, "http.yaml", httpService("h1", "127.0.11.3", "http", ""), slice("h1", THREE));
        Manifests.write(dir, "h2c.yaml", httpService("h2", "127.0.11.4", "kubernetes.io/h2c", ""), slice("h2", THREE));
        start();
        OkHttpClient client = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .connectionPool(new ConnectionPool(1, 1, TimeUnit.MINUTES)).build();
        for (String vip : List.of("127.0.11.3", "127.0.11.4")) {
            Map<String, Integer> counts = new ConcurrentHashMap<>();
            for (int i = 0; i < 3000; i++) {
                try (Response r = client.newCall(new Request.Builder().url("http://" + vip + ":" + PORT + "/").build())
                        .execute()) {
                    assertThat(r.code()).isEqualTo(200);
                    assertThat(r.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
                    counts.merge(r.header("x-backend"), 1, Integer::sum);
                }
            }
            assertThat(client.connectionPool().connectionCount()).as("one HTTP/2 connection").isLessThanOrEqualTo(2);
            assertFairShares(counts, 3000);
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    // --- gRPC, without generated code: methods over raw bytes.

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName("test.Echo/" + name)
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    static final MethodDescriptor<byte[], byte[]> NAME = method("Name", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<byte[], byte[]> JOIN = method("Join", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<byte[], byte[]> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

    static Server grpcServer(String name, String address) throws IOException {
        ServerServiceDefinition def = ServerServiceDefinition.builder("test.Echo")
                .addMethod(NAME, ServerCalls.asyncUnaryCall((req, obs) -> {
                    obs.onNext(name.getBytes(StandardCharsets.UTF_8));
                    obs.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, obs) -> {
                    int n = Integer.parseInt(new String(req, StandardCharsets.UTF_8));
                    for (int i = 1; i <= n; i++) {
                        obs.onNext((name + i).getBytes(StandardCharsets.UTF_8));
                    }
                    obs.onCompleted();
                }))
                .addMethod(JOIN, ServerCalls.asyncClientStreamingCall(obs -> new StreamObserver<byte[]>() {
                    final StringBuilder sb = new StringBuilder();

                    @Override
                    public void onNext(byte[] value) {
                        sb.append(new String(value, StandardCharsets.UTF_8));
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        obs.onNext(sb.toString().getBytes(StandardCharsets.UTF_8));
                        obs.onCompleted();
                    }
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(obs -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                        obs.onNext((name + ":" + new String(value, StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8));
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        obs.onCompleted();
                    }
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, obs) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "from " + name);
                    obs.onError(Status.FAILED_PRECONDITION.withDescription("refused by " + name)
                            .asRuntimeException(trailers));
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((req, obs) -> {
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    obs.onNext(new byte[0]);
                    obs.onCompleted();
                }))
                .build();
        return NettyServerBuilder.forAddress(new InetSocketAddress(address, TARGET)).addService(def).build().start();
    }

    @Test
    void oneGrpcChannelSpreadsEvenlyAndStatusTrailersDeadlinesAndStreamingPassThrough() throws Exception {
        for (int i = 0; i < 3; i++) {
            Server s = grpcServer(String.valueOf((char) ('a' + i)), THREE.get(i));
            closeables.add(() -> s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        }
        Manifests.write(dir, "grpc.yaml", httpService("grpc", "127.0.11.5", "grpc", ""), slice("grpc", THREE));
        start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.11.5", PORT).usePlaintext().build();
        closeables.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            byte[] reply = ClientCalls.blockingUnaryCall(channel, NAME, CallOptions.DEFAULT, new byte[0]);
            counts.merge(new String(reply, StandardCharsets.UTF_8), 1, Integer::sum);
        }
        assertFairShares(counts, 3000);

        // Status and trailers of a failed call arrive intact.
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, FAIL, CallOptions.DEFAULT, new byte[0]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).startsWith("refused by ");
                    assertThat(e.getTrailers().get(DETAIL)).startsWith("from ");
                });
        // A deadline is enforced.
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SLOW,
                CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), new byte[0]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        // Server streaming.
        Iterator<byte[]> stream = ClientCalls.blockingServerStreamingCall(channel, COUNT, CallOptions.DEFAULT,
                "5".getBytes(StandardCharsets.UTF_8));
        List<String> got = new ArrayList<>();
        stream.forEachRemaining(b -> got.add(new String(b, StandardCharsets.UTF_8)));
        assertThat(got).hasSize(5);
        assertThat(got.get(4)).endsWith("5");
        // Client streaming.
        CompletableFuture<String> joined = new CompletableFuture<>();
        StreamObserver<byte[]> up = ClientCalls.asyncClientStreamingCall(channel.newCall(JOIN, CallOptions.DEFAULT),
                observer(joined));
        for (String part : List.of("a", "b", "c")) {
            up.onNext(part.getBytes(StandardCharsets.UTF_8));
        }
        up.onCompleted();
        assertThat(joined.get(10, TimeUnit.SECONDS)).isEqualTo("abc");
        // Bidirectional streaming: replies arrive while the client is still sending.
        List<String> chat = new ArrayList<>();
        CompletableFuture<Void> chatDone = new CompletableFuture<>();
        AtomicInteger replies = new AtomicInteger();
        StreamObserver<byte[]> talk = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, CallOptions.DEFAULT),
                new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        synchronized (chat) {
                            chat.add(new String(value, StandardCharsets.UTF_8));
                        }
                        replies.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable t) {
                        chatDone.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        chatDone.complete(null);
                    }
                });
        talk.onNext("ping".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(5)).until(() -> replies.get() == 1);
        talk.onNext("pong".getBytes(StandardCharsets.UTF_8));
        talk.onCompleted();
        chatDone.get(10, TimeUnit.SECONDS);
        assertThat(chat).hasSize(2);
        assertThat(chat.get(1)).endsWith(":pong");
    }

    @Test
    void aGrpcCallOutlivingTheServicesRequestTimeoutEndsInDeadlineExceededNotUnavailable() throws Exception {
        for (int i = 0; i < 3; i++) {
            Server s = grpcServer(String.valueOf((char) ('a' + i)), THREE.get(i));
            closeables.add(() -> s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        }
        Manifests.write(dir, "grpc.yaml", httpService("grpc", "127.0.11.5", "grpc",
                "switchboard.io/http-request-timeout: 300ms"), slice("grpc", THREE));
        start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.11.5", PORT).usePlaintext().build();
        closeables.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        // No deadline of the client's own: the answer is the proxy's, in gRPC's terms.
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SLOW, CallOptions.DEFAULT, new byte[0]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("the endpoint did not answer in time");
                });
        // The channel goes on: the next call is served.
        assertThat(ClientCalls.blockingUnaryCall(channel, NAME, CallOptions.DEFAULT, new byte[0])).isNotEmpty();
    }

    private static StreamObserver<byte[]> observer(CompletableFuture<String> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                result.complete(new String(value, StandardCharsets.UTF_8));
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    @Test
    void aKilledEndpointCostsNoIdempotentRequest() throws Exception {
        List<DemoBackend> bs = backends("127.0.10.1", "127.0.10.2", "127.0.10.3");
        Manifests.write(dir, "svc.yaml", httpService("retry", "127.0.11.6", "http", ""), slice("retry", THREE));
        start();
        try (RawHttp conn = new RawHttp("127.0.11.6", PORT)) {
            for (int i = 0; i < 30; i++) {
                assertThat(conn.get("/").status()).isEqualTo(200);
            }
            bs.get(1).close();
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                RawHttp.Response r = conn.get("/");
                assertThat(r.status()).as("request " + i).isEqualTo(200);
                counts.merge(r.headers().get("x-backend"), 1, Integer::sum);
            }
            assertThat(counts).containsOnlyKeys("a", "c");
        }
        String m = Clients.admin(sb, "/metrics").body();
        String svc = "port=\"web\",protocol=\"TCP\",service=\"test/retry\"";
        assertThat(Clients.metric(m, "switchboard_service_requests_total{class=\"2xx\"," + svc + "}"))
                .as("every request answered 2xx").isEqualTo(330.0);
        assertThat(Clients.metric(m, "switchboard_service_requests_total{class=\"5xx\"," + svc + "}"))
                .isIn(0.0, Double.NaN);
        assertThat(Clients.metric(m, "switchboard_service_request_duration_seconds_count{" + svc + "}"))
                .isEqualTo(330.0);
        assertThat(Clients.metric(m, "switchboard_service_requests_in_flight{" + svc + "}")).isZero();
        assertThat(Clients.metric(m, "switchboard_service_retries_total{" + svc + "}"))
                .as("requests to the killed endpoint went elsewhere").isPositive();
        double a = Clients.metric(m, "switchboard_endpoint_requests_total{class=\"2xx\",endpoint=\"127.0.10.1:"
                + TARGET + "\"," + svc + "}");
        double c = Clients.metric(m, "switchboard_endpoint_requests_total{class=\"2xx\",endpoint=\"127.0.10.3:"
                + TARGET + "\"," + svc + "}");
        assertThat(a + c).as("the endpoints left answered all 300 after the kill, and their share before")
                .isGreaterThanOrEqualTo(300.0);
    }

    @Test
    void anEjectedEndpointComesBack() throws Exception {
        List<DemoBackend> bs = backends("127.0.10.1", "127.0.10.2");
        Manifests.write(dir, "svc.yaml", httpService("eject", "127.0.11.7", "http",
                        "switchboard.io/outlier-consecutive-errors: \"3\", switchboard.io/outlier-base-ejection: 1s,"
                                + " switchboard.io/http-retries: \"0\""),
                slice("eject", List.of("127.0.10.1", "127.0.10.2")));
        start();
        bs.get(1).forceStatus(503);
        try (RawHttp conn = new RawHttp("127.0.11.7", PORT)) {
            int failures = 0;
            for (int i = 0; i < 20; i++) {
                if (conn.get("/").status() == 503) {
                    failures++;
                }
            }
            assertThat(failures).as("b answered 503 until ejected after 3").isEqualTo(3);
            long before = bs.get(1).httpRequests();
            for (int i = 0; i < 20; i++) {
                assertThat(conn.get("/").headers().get("x-backend")).isEqualTo("a");
            }
            assertThat(bs.get(1).httpRequests()).as("no request reached the ejected endpoint").isEqualTo(before);
            bs.get(1).forceStatus(0);
            Thread.sleep(1200);
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                counts.merge(conn.get("/").headers().get("x-backend"), 1, Integer::sum);
            }
            assertThat(counts).as("b is back after its ejection").containsKeys("a", "b");
        }
        assertThat(Clients.admin(sb, "/metrics").body()).contains(
                "switchboard_service_ejections_total{port=\"web\",protocol=\"TCP\",service=\"test/eject\"} 1.0");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http", "kubernetes.io/h2c"})
    void anEjectedEndpointThatAnswersAProbeIsBackLongBeforeItsEjectionEnds(String appProtocol) throws Exception {
        List<DemoBackend> bs = backends("127.0.10.1", "127.0.10.2");
        Manifests.write(dir, "svc.yaml", httpService("probed", "127.0.11.9", appProtocol,
                        "switchboard.io/outlier-consecutive-errors: \"3\", switchboard.io/outlier-base-ejection: 60s,"
                                + " switchboard.io/http-retries: \"0\""),
                slice("probed", List.of("127.0.10.1", "127.0.10.2")));
        start();
        bs.get(1).forceStatus(503);
        try (RawHttp conn = new RawHttp("127.0.11.9", PORT)) {
            int failures = 0;
            for (int i = 0; i < 20; i++) {
                if (conn.get("/").status() == 503) {
                    failures++;
                }
            }
            assertThat(failures).as("b answered 503 until ejected after 3").isEqualTo(3);
            assertThat(Clients.admin(sb, "/api/v1/routes").body()).contains("\"state\" : \"ejected\"");
            // Probes still get 503: it stays out.
            await().atMost(Duration.ofSeconds(10)).until(() -> bs.get(1).probeRequests() >= 2);
            for (int i = 0; i < 10; i++) {
                assertThat(conn.get("/").headers().get("x-backend")).isEqualTo("a");
            }
            bs.get(1).forceStatus(0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Map<String, Integer> counts = new HashMap<>();
                for (int i = 0; i < 10; i++) {
                    counts.merge(conn.get("/").headers().get("x-backend"), 1, Integer::sum);
                }
                assertThat(counts).as("b is back once a probe got an answer, not after 60 s").containsKeys("a", "b");
            });
        }
        assertThat(Clients.admin(sb, "/metrics").body()).contains(
                "switchboard_endpoint_probe_recoveries_total{endpoint=\"127.0.10.2:" + TARGET
                        + "\",port=\"web\",protocol=\"TCP\",service=\"test/probed\"} 1.0");
    }

    @Test
    void aStickyCookiePinsAClientAndAHeaderHashKeepsAKeyOnOneEndpoint() throws Exception {
        backends("127.0.10.1", "127.0.10.2", "127.0.10.3");
        Manifests.write(dir, "sticky.yaml", httpService("sticky", "127.0.11.8", "http",
                "switchboard.io/sticky-cookie: SRV"), slice("sticky", THREE));
        Manifests.write(dir, "hash.yaml", httpService("hash", "127.0.11.9", "http",
                "switchboard.io/scheduler: mh, switchboard.io/hash-key: \"header:x-user\""), slice("hash", THREE));
        start();
        try (RawHttp conn = new RawHttp("127.0.11.8", PORT)) {
            RawHttp.Response first = conn.get("/deep/path");
            String cookie = first.headers().get("set-cookie");
            assertThat(cookie).startsWith("SRV=").as("valid for the whole site, not the first path's directory")
                    .contains("; Path=/").containsIgnoringCase("; HttpOnly");
            String pinned = first.headers().get("x-backend");
            for (int i = 0; i < 20; i++) {
                conn.send("GET / HTTP/1.1\r\nHost: t\r\nCookie: " + cookie.split(";")[0] + "\r\n\r\n");
                RawHttp.Response r = conn.read(false);
                assertThat(r.headers().get("x-backend")).isEqualTo(pinned);
                assertThat(r.headers()).doesNotContainKey("set-cookie");
            }
            Map<String, Integer> without = new HashMap<>();
            for (int i = 0; i < 30; i++) {
                without.merge(conn.get("/").headers().get("x-backend"), 1, Integer::sum);
            }
            assertThat(without).as("without the cookie requests still spread").hasSize(3);
        }
        try (RawHttp conn = new RawHttp("127.0.11.9", PORT)) {
            java.util.Set<String> users = new java.util.HashSet<>();
            for (int u = 0; u < 30; u++) {
                String first = null;
                for (int i = 0; i < 3; i++) {
                    conn.send("GET / HTTP/1.1\r\nHost: t\r\nX-User: user-" + u + "\r\n\r\n");
                    String got = conn.read(false).headers().get("x-backend");
                    first = first == null ? got : first;
                    assertThat(got).as("user-" + u).isEqualTo(first);
                }
                users.add(first);
            }
            assertThat(users).as("keys spread over the endpoints").hasSize(3);
        }
    }

    @Test
    void aTerminatingEndpointFinishesItsRequestInFlightAndGetsNoNewOnes() throws Exception {
        backends("127.0.10.1", "127.0.10.2");
        Manifests.write(dir, "svc.yaml", httpService("term", "127.0.11.11", "http", ""));
        Manifests.write(dir, "eps.yaml", slice("term", List.of("127.0.10.1", "127.0.10.2")));
        start();
        try (RawHttp slow = new RawHttp("127.0.11.11", PORT); RawHttp other = new RawHttp("127.0.11.11", PORT)) {
            slow.send("GET /delay/1500 HTTP/1.1\r\nHost: t\r\n\r\n");
            Thread.sleep(200);
            // The pod behind a is being deleted: still serving, no longer ready, as the EndpointSlice
            // controller reports it during its grace period.
            Manifests.write(dir, "eps.yaml", """
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: term-slice
                      namespace: test
                      labels: {kubernetes.io/service-name: term}
                    addressType: IPv4
                    ports:
                    - name: web
                      port: %d
                    endpoints:
                    - addresses: [127.0.10.1]
                      conditions: {ready: false, serving: true, terminating: true}
                    - addresses: [127.0.10.2]
                      conditions: {ready: true}
                    """.formatted(TARGET));
            await().atMost(Duration.ofSeconds(5)).until(() -> sb.table().lookup(
                    java.net.InetAddress.getByName("127.0.11.11"), PORT, io.switchboard.model.Protocol.TCP)
                    .pool().backends().size() == 1);
            for (int i = 0; i < 10; i++) {
                assertThat(other.get("/").headers().get("x-backend")).isEqualTo("b");
            }
            RawHttp.Response r = slow.read(false);
            assertThat(r.status()).as("the request in flight finished on the terminating endpoint").isEqualTo(200);
            assertThat(r.headers().get("x-backend")).isEqualTo("a");
        }
    }

    @Test
    void aRemovedEndpointFinishesItsRequestInFlightAndGetsNoNewOnes() throws Exception {
        backends("127.0.10.1", "127.0.10.2");
        Manifests.write(dir, "svc.yaml", httpService("drain", "127.0.11.10", "http", ""));
        Manifests.write(dir, "eps.yaml", slice("drain", List.of("127.0.10.1", "127.0.10.2")));
        start();
        try (RawHttp slow = new RawHttp("127.0.11.10", PORT); RawHttp other = new RawHttp("127.0.11.10", PORT)) {
            slow.send("GET /delay/1500 HTTP/1.1\r\nHost: t\r\n\r\n");
            Thread.sleep(200);
            // The slow request went to a (first in round robin): a now leaves the Service.
            Manifests.write(dir, "eps.yaml", slice("drain", List.of("127.0.10.2")));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    sb.table().services().values().iterator().next().allBackends().size() == 1);
            for (int i = 0; i < 10; i++) {
                assertThat(other.get("/").headers().get("x-backend")).isEqualTo("b");
            }
            RawHttp.Response r = slow.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().get("x-backend")).isEqualTo("a");
        }
    }
}
