package io.switchboard.server;

import static io.switchboard.server.L7BalancingIT.PORT;
import static io.switchboard.server.L7BalancingIT.httpService;
import static io.switchboard.server.L7BalancingIT.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.switchboard.backend.DemoBackend;
import io.switchboard.dataplane.DataPlane;
import io.switchboard.model.Protocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopping instance drains: it stops taking TCP connections at once (a successor bound beside it
 * takes them), lets L4 connections relay until they end, answers HTTP/1.1 requests in flight with
 * {@code Connection: close}, sends HTTP/2 clients GOAWAY and finishes their streams, and returns
 * when nothing is left or its timeout passed. As a process, SIGTERM drains and exits 0; a second
 * SIGTERM stops at once.
 */
class DrainIT {

    private static final String L4 = "127.0.17.1";
    private static final String WEB = "127.0.17.2";
    private static final String GRPC = "127.0.17.3";
    private static final String BACKEND = "127.0.16.1";
    private static final String GRPC_BACKEND = "127.0.16.2";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private void services() throws Exception {
        closeables.add(DemoBackend.start("a", new InetSocketAddress(BACKEND, L7BalancingIT.TARGET), 1));
        Server grpc = L7BalancingIT.grpcServer("g", GRPC_BACKEND);
        closeables.add(() -> grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        Manifests.write(dir, "svc.yaml", httpService("l4", L4, "", ""), slice("l4", List.of(BACKEND)),
                httpService("web", WEB, "http", ""), slice("web", List.of(BACKEND)),
                httpService("grpc", GRPC, "grpc", ""), slice("grpc", List.of(GRPC_BACKEND)));
    }

    private Switchboard start() throws Exception {
        Switchboard sb = Switchboard.start(SwitchboardConfig.defaults(dir)
                .withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(2));
        closeables.add(sb);
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        return sb;
    }

    /** An L4 connection to the demo backend's echo, past its greeting. */
    private static final class Echo implements AutoCloseable {
        final Socket socket = new Socket();
        final BufferedReader in;
        final OutputStream out;

        Echo(String host) throws IOException {
            socket.connect(new InetSocketAddress(host, PORT), 2000);
            socket.setSoTimeout(5000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
            assertThat(roundTrip("hello")).isEqualTo("a");
            assertThat(in.readLine()).isEqualTo("hello");
        }

        /** Sends a line, returns the first line that comes back. */
        String roundTrip(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return in.readLine();
        }

        /** True when the proxy ended the connection (end of stream or reset) within the read timeout. */
        boolean ended() {
            try {
                return in.read() < 0;
            } catch (IOException e) {
                return !(e instanceof java.net.SocketTimeoutException);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static boolean tcpListening(Switchboard sb) {
        return sb.dataPlane().listeners().stream().anyMatch(l -> l.key().protocol() == Protocol.TCP && l.error() == null);
    }

    @Test
    void aDrainingInstanceFinishesWhatItCarriesWhileItsSuccessorTakesNewConnections() throws Exception {
        services();
        Switchboard first = start();
        Echo longLived = new Echo(L4);
        closeables.add(longLived);
        RawHttp inFlight = new RawHttp(WEB, PORT);
        closeables.add(inFlight);
        RawHttp idle = new RawHttp(WEB, PORT);
        closeables.add(idle);
        assertThat(idle.get("/").status()).isEqualTo(200);
        inFlight.send("GET /delay/1500 HTTP/1.1\r\nHost: test\r\n\r\n");
        ManagedChannel grpc = NettyChannelBuilder.forAddress(GRPC, PORT).usePlaintext().build();
        closeables.add(() -> grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        var slowCall = ClientCalls.futureUnaryCall(grpc.newCall(L7BalancingIT.SLOW, CallOptions.DEFAULT), new byte[0]);
        // The gRPC channel connects in the background: wait for it rather than for a fixed time.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(first.dataPlane().openConnections())
                .as("L4, two HTTP/1.1, one HTTP/2").isEqualTo(4));

        Switchboard second = start();
        CompletableFuture<DataPlane.Drained> drained = CompletableFuture.supplyAsync(
                () -> first.drainAndClose(Duration.ofSeconds(15)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tcpListening(first) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(tcpListening(first)).as("the draining instance still listens").isFalse();

        // New connections reach the successor.
        try (Echo fresh = new Echo(L4)) {
            assertThat(second.dataPlane().openConnections()).isEqualTo(1);
        }
        // The HTTP/1.1 request in flight is answered, with Connection: close, and the connection ends.
        RawHttp.Response r = inFlight.read(false);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("connection")).isEqualToIgnoringCase("close");
        assertThat(inFlight.closedByPeer()).isTrue();
        // The idle keep-alive connection is closed soon (not at the drain timeout).
        assertThat(idle.closedByPeer()).isTrue();
        // The gRPC call in flight finishes; the channel, told GOAWAY, goes on over a new connection.
        assertThat(slowCall.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(new String(ClientCalls.blockingUnaryCall(grpc, L7BalancingIT.NAME, CallOptions.DEFAULT,
                new byte[0]), StandardCharsets.UTF_8)).isEqualTo("g");
        // The L4 connection still relays, and the drain waits for it.
        assertThat(longLived.roundTrip("still there")).isEqualTo("still there");
        Thread.sleep(500);
        assertThat(drained).as("the drain waits for the L4 connection").isNotDone();
        longLived.close();
        DataPlane.Drained left = drained.get(10, TimeUnit.SECONDS);
        assertThat(left.complete()).as("nothing cut: " + left).isTrue();
    }

    @Test
    void aDrainEndsAtItsTimeoutCuttingWhatIsLeft() throws Exception {
        services();
        Switchboard sb = start();
        Echo held = new Echo(L4);
        closeables.add(held);
        long start = System.nanoTime();
        DataPlane.Drained left = sb.drainAndClose(Duration.ofSeconds(1));
        assertThat(left.connections()).isEqualTo(1);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
        assertThat(held.ended()).as("the connection left at the timeout is closed").isTrue();
    }

    private Process run(int admin) throws IOException {
        return run(admin, Path.of("target/switchboard.jar"));
    }

    private Process run(int admin, Path jar) throws IOException {
        return new ProcessBuilder("java", "-Xmx256m", "-jar", jar.toString(), "run", "--config",
                dir.toString(), "--admin", "127.0.0.1:" + admin, "--workers", "1", "--drain-timeout", "30s")
                .redirectErrorStream(true).redirectOutput(dir.resolve("run-" + admin + ".log").toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static int readyz(int admin) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                    + "/readyz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Process runUntilReady() throws Exception {
        return runUntilReady(Path.of("target/switchboard.jar"));
    }

    private Process runUntilReady(Path jar) throws Exception {
        int admin = freePort();
        Process p = run(admin, jar);
        closeables.add(() -> {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (readyz(admin) != 200) {
            assertThat(p.isAlive()).as("switchboard exited; see " + dir).isTrue();
            assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        return p;
    }

    @Test
    void sigtermDrainsThenExitsZeroAndASecondSigtermStopsAtOnce() throws Exception {
        services();
        Process p = runUntilReady();
        Echo held = new Echo(L4);
        closeables.add(held);
        p.destroy();
        Thread.sleep(1000);
        assertThat(p.isAlive()).as("draining, not gone").isTrue();
        assertThat(held.roundTrip("during the drain")).isEqualTo("during the drain");
        held.close();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("exits once the last connection ended").isTrue();
        assertThat(p.exitValue()).isZero();

        Process q = runUntilReady();
        Echo cut = new Echo(L4);
        closeables.add(cut);
        q.destroy();
        Thread.sleep(500);
        assertThat(q.isAlive()).isTrue();
        long start = System.nanoTime();
        q.destroy();
        assertThat(q.waitFor(5, TimeUnit.SECONDS)).as("a second SIGTERM stops at once").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        assertThat(q.exitValue()).isZero();
        assertThat(cut.ended()).isTrue();
    }

    @Test
    void anInstanceWhoseJarWasReplacedUnderItStillEndsOnSigterm() throws Exception {
        // A rebuild or package upgrade replaces the jar of a running instance: classes its drain has
        // not loaded yet are gone, and the error used to end main while the admin server's thread
        // kept the JVM alive, deaf to every later SIGTERM.
        services();
        Path jar = dir.resolve("switchboard-copy.jar");
        java.nio.file.Files.copy(Path.of("target/switchboard.jar"), jar);
        Process p = runUntilReady(jar);
        java.nio.file.Files.write(jar, new byte[] {'P', 'K', 5, 6});
        p.destroy();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the process ends; see " + dir).isTrue();
        assertThat(p.exitValue()).isIn(0, 70);
    }
}
