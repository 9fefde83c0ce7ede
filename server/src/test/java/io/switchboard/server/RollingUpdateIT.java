package io.switchboard.server;

import static io.switchboard.server.L7BalancingIT.PORT;
import static io.switchboard.server.L7BalancingIT.TARGET;
import static io.switchboard.server.L7BalancingIT.httpService;
import static io.switchboard.server.L7BalancingIT.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.admin.AdminServer;
import io.switchboard.backend.DemoBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update on one node, as the DaemonSet does it: a new process starts beside the running
 * one with {@code --takeover} (the old hands over its admin and health ports and goes on serving),
 * then the old one is sent SIGTERM and drains. Under HTTP keep-alive load, short connections and a
 * pool of long L4 connections, nothing fails. The "node" is a network namespace this test makes, so
 * the sysctl the takeover sets stays inside it. A second instance without {@code --takeover} is
 * refused, naming the first.
 */
class RollingUpdateIT {

    private static final String NODE_PREFIX = "10.231.0";
    private static final int ADMIN = 19901;
    private static final int HEALTHZ = 19902;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private Process switchboard(NetNs node, String log, String... extra) throws IOException {
        List<String> c = new ArrayList<>(List.of("java", "-Xmx256m", "-jar",
                Path.of("target/switchboard.jar").toAbsolutePath().toString(), "run", "--config", dir.toString(),
                "--admin", node.nsAddress + ":" + ADMIN, "--healthz-bind-address", node.nsAddress + ":" + HEALTHZ,
                "--workers", "1",
                "--drain-timeout", "20s"));
        c.addAll(List.of(extra));
        Process p = node.start(dir.resolve(log), c.toArray(String[]::new));
        closeables.add(() -> {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        });
        return p;
    }

    /** GETs {@code path} on the node, or null when nothing answers 200. */
    private static String get(NetNs node, int port, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                    + node.nsAddress + ":" + port + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The instance answering on the node's admin address, or null. */
    private static JsonNode instance(NetNs node) throws IOException {
        String body = get(node, ADMIN, "/api/v1/instance");
        return body == null ? null : AdminServer.JSON.readTree(body);
    }

    private static boolean ready(NetNs node) {
        return get(node, ADMIN, "/readyz") != null;
    }

    private void awaitServing(NetNs node, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (true) {
            JsonNode i = instance(node);
            if (i != null && i.path("pid").asLong() == p.pid() && ready(node)) {
                return;
            }
            assertThat(p.isAlive()).as("switchboard exited; see " + dir).isTrue();
            assertThat(System.nanoTime()).as("ready within 40 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void aTakeoverThenSigtermFailsNoRequestAndCutsNoConnection() throws Exception {
        String why = NetNs.unavailable();
        assumeTrue(why == null, why);
        NetNs node = new NetNs(NODE_PREFIX);
        closeables.add(node);
        String vip = node.nsAddress;
        // The endpoints live on this side of the veth, as pods beside a node.
        closeables.add(DemoBackend.start("a", new InetSocketAddress(node.hostAddress, TARGET), 1));
        Manifests.write(dir, "svc.yaml", httpService("l4", vip, "", ""), slice("l4", List.of(node.hostAddress)),
                httpService("web", vip, "http", "").replace("port: " + PORT, "port: " + (PORT + 1)),
                slice("web", List.of(node.hostAddress)));
        Process old = switchboard(node, "old.log");
        awaitServing(node, old);

        // A second instance is refused, and says why.
        Process stray = switchboard(node, "stray.log");
        assertThat(stray.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stray.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("stray.log"))).contains("another Switchboard (pid " + old.pid())
                .contains("--takeover");
        assertThat(old.isAlive()).isTrue();

        Load load = new Load(vip);
        load.start();
        Thread.sleep(1000);
        Process successor = switchboard(node, "new.log", "--takeover");
        awaitServing(node, successor);
        assertThat(node.inside("cat", "/proc/sys/net/ipv4/tcp_migrate_req").trim()).isEqualTo("1");
        assertThat(get(node, HEALTHZ, "/livez")).as("the successor's /livez").contains("\"healthy\":true");
        Thread.sleep(1000);
        long term = System.nanoTime();
        old.destroy();
        assertThat(old.waitFor(25, TimeUnit.SECONDS)).as("the old instance drains and exits").isTrue();
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - term);
        assertThat(old.exitValue()).isZero();
        Thread.sleep(1000);
        load.stop();
        System.out.printf("rolling update: %d HTTP requests, %d short and %d long L4 connections, drain %d ms%n",
                load.requests.get(), load.shortConnections.get(), load.longConnections.get(), drainMillis);
        assertThat(load.failures).as("failed requests and cut connections").isEmpty();
        assertThat(load.requests.get()).isGreaterThan(100);
        assertThat(load.longConnections.get()).isGreaterThan(20);
        assertThat(Files.readString(dir.resolve("old.log"))).contains("handed over to a successor").contains("drained");
    }

    /** HTTP keep-alive clients, short L4 connections and a pool of long L4 connections; bounded in time. */
    private static final class Load {
        final String vip;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger shortConnections = new AtomicInteger();
        final AtomicInteger longConnections = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);

        Load(String vip) {
            this.vip = vip;
        }

        boolean going() {
            return !stop.get() && System.nanoTime() < deadline;
        }

        void start() {
            for (int i = 0; i < 4; i++) {
                threads.add(thread("http-" + i, this::http));
            }
            threads.add(thread("short", this::shortConnections));
            for (int i = 0; i < 10; i++) {
                threads.add(thread("long-" + i, this::longConnections));
            }
        }

        private static Thread thread(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.start();
            return t;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(20_000);
            }
        }

        private void http() {
            while (going()) {
                try (RawHttp c = new RawHttp(vip, PORT + 1)) {
                    for (int i = 0; i < 10_000 && going(); i++) {
                        RawHttp.Response r = c.get("/");
                        if (r.status() != 200) {
                            failures.add("HTTP " + r.status());
                        }
                        requests.incrementAndGet();
                        if ("close".equalsIgnoreCase(r.headers().get("connection"))) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    failures.add("HTTP: " + e);
                }
            }
        }

        private void shortConnections() {
            while (going()) {
                try {
                    if (!"a".equals(Clients.name(vip, PORT))) {
                        failures.add("short: wrong answer");
                    }
                    shortConnections.incrementAndGet();
                } catch (IOException e) {
                    failures.add("short: " + e);
                }
            }
        }

        /** Connections living 1 to 4 s, a round trip every 100 ms: within the drain timeout. */
        private void longConnections() {
            while (going()) {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(1000, 4000));
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(vip, PORT), 2000);
                    s.setSoTimeout(5000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.US_ASCII));
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; System.nanoTime() < end; i++) {
                        out.write(("m" + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        String line = in.readLine();
                        if (i == 0 && "a".equals(line)) {
                            line = in.readLine();
                        }
                        if (!("m" + i).equals(line)) {
                            failures.add("long: got " + line + " for m" + i);
                            break;
                        }
                        Thread.sleep(100);
                    }
                    longConnections.incrementAndGet();
                } catch (IOException e) {
                    failures.add("long: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
