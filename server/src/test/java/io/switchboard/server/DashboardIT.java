package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.DemoBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: Switchboard with traffic flowing through an L4 and an L7 Service,
 * its admin page loaded in headless Chromium, and assertions on what the page shows as things change.
 */
class DashboardIT {

    private static final int PORT = 18441;
    private static final int TARGET = 19441;
    private static final String L4_VIP = "127.0.44.1";
    private static final String L7_VIP = "127.0.44.2";
    private static final List<String> L4_EPS = List.of("127.0.45.1", "127.0.45.2");
    private static final List<String> L7_EPS = List.of("127.0.45.3", "127.0.45.4");
    private static final String UDP_VIP = "127.0.44.3";
    private static final String UDP_EP = "127.0.45.5";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private Switchboard sb;
    private Thread traffic;

    @AfterEach
    void tearDown() throws Exception {
        stop.set(true);
        if (traffic != null) {
            traffic.join(10_000);
        }
        if (sb != null) {
            sb.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    static String httpService(String name, String vip) {
        return httpService(name, vip, PORT);
    }

    /** A Service whose port {@code tcp} balances HTTP requests ({@code appProtocol: http}). */
    static String httpService(String name, String vip, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: test
                spec:
                  clusterIP: %s
                  ports:
                  - name: tcp
                    port: %d
                    targetPort: tcp
                    appProtocol: http
                """.formatted(name, vip, port);
    }

    private DemoBackend backend(String name, String ip) throws InterruptedException {
        DemoBackend b = DemoBackend.start(name, new InetSocketAddress(ip, TARGET), 1);
        closeables.add(b);
        return b;
    }

    /** Connections to the L4 Service and requests to the L7 one, until the test ends (at most 3 minutes). */
    private void startTraffic(AtomicLong done) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        traffic = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            byte[] hello = "name".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            while (!stop.get() && System.nanoTime() < deadline) {
                try (java.net.DatagramSocket udp = new java.net.DatagramSocket(new InetSocketAddress("127.0.46.50", 0))) {
                    // One source socket: one UDP flow while the test runs.
                    udp.setSoTimeout(1000);
                    while (!stop.get() && System.nanoTime() < deadline) {
                        Clients.name(L4_VIP, PORT);
                        http.send(HttpRequest.newBuilder(URI.create("http://" + L7_VIP + ":" + PORT + "/"))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                        udp.send(new java.net.DatagramPacket(hello, hello.length, new InetSocketAddress(UDP_VIP, PORT)));
                        udp.receive(new java.net.DatagramPacket(new byte[64], 64));
                        done.incrementAndGet();
                        Thread.sleep(20);
                    }
                } catch (IOException e) {
                    // An endpoint killed by the test; the next round goes on.
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "dashboard-traffic");
        traffic.setDaemon(true);
        traffic.start();
    }

    private static long number(String text) {
        return text == null || text.isBlank() ? -1 : Long.parseLong(text.trim());
    }

    @Test
    void showsEveryServiceAndEndpointLiveCountersAKilledEndpointAndAConfigError() throws Exception {
        backend("a", L4_EPS.get(0));
        DemoBackend killed = backend("b", L4_EPS.get(1));
        backend("c", L7_EPS.get(0));
        backend("d", L7_EPS.get(1));
        backend("e", UDP_EP);
        Manifests.write(dir, "web.yaml", Manifests.service("web", L4_VIP, PORT),
                Manifests.slice("web", TARGET, L4_EPS));
        Manifests.write(dir, "api.yaml", httpService("api", L7_VIP), Manifests.slice("api", TARGET, L7_EPS));
        Manifests.write(dir, "dns.yaml", UdpIT.udpService("dns", UDP_VIP, PORT, TARGET, "", ""),
                UdpIT.udpSlice("dns", TARGET, List.of(UDP_EP)));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        AtomicLong rounds = new AtomicLong();
        startTraffic(rounds);
        await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() > 5);

        InetSocketAddress admin = sb.adminAddress();
        String base = "http://127.0.0.1:" + admin.getPort();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(base + "/"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).as("HEAD / answers as GET does").isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));

        try (Browser browser = Browser.start(1400, 1000)) {
            browser.open(base + "/");
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(browser.all("article.service[data-service='test/web']")).hasSize(1);
                assertThat(browser.all("article.service[data-service='test/api']")).hasSize(1);
                for (String ip : L4_EPS) {
                    assertThat(browser.all("article[data-service='test/web'] tr[data-endpoint='" + ip + ":" + TARGET
                            + "']")).as(ip).hasSize(1);
                }
                for (String ip : L7_EPS) {
                    assertThat(browser.all("article[data-service='test/api'] tr[data-endpoint='" + ip + ":" + TARGET
                            + "']")).as(ip).hasSize(1);
                }
            });
            assertThat(browser.text("article[data-service='test/api'] .service-head")).contains("L7", "rr");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(browser.text(
                    "article[data-service='test/dns'] tr[data-endpoint='" + UDP_EP + ":" + TARGET + "'] td.active"))
                    .as("the UDP flow").isEqualTo("1"));
            assertThat(browser.text("article[data-service='test/web'] .service-head")).contains("L4", "TCP");
            assertThat(browser.text("article[data-service='test/web'] .addresses")).contains(L4_VIP + ":" + PORT);
            assertThat(browser.text("#source-table")).contains("file", "ready");
            assertThat(browser.text("#ready")).isEqualTo("ready");

            // Counters rise while traffic flows, and the page shows it without a reload.
            long connections = number(browser.text("article[data-service='test/web'] .totals .total"));
            long requests = number(browser.text("article[data-service='test/api'] .totals .total"));
            assertThat(connections).isPositive();
            assertThat(requests).isPositive();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(number(browser.text("article[data-service='test/web'] .totals .total")))
                        .isGreaterThan(connections);
                assertThat(number(browser.text("article[data-service='test/api'] .totals .total")))
                        .isGreaterThan(requests);
                String rate = browser.text("article[data-service='test/api'] .totals .rate");
                assertThat(rate).isNotNull().isNotEqualTo("–");
                assertThat(Double.parseDouble(rate.replace("k", ""))).isPositive();
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    browser.all("article[data-service='test/api'] svg.spark polyline")).as("a sparkline").isNotEmpty());

            // An endpoint whose process is gone turns down (held down after failed connects).
            String killedRow = "article[data-service='test/web'] tr[data-endpoint='" + L4_EPS.get(1) + ":" + TARGET + "']";
            assertThat(browser.attribute(killedRow, "data-state")).isEqualTo("up");
            killed.close();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(browser.attribute(killedRow, "data-state")).startsWith("down");
                assertThat(browser.text(killedRow + " td.state")).contains("down");
            });
            browser.screenshot(Path.of("target", "dashboard-endpoint-down.png"));

            // A broken manifest shows as a configuration error with its origin.
            Manifests.write(dir, "broken.yaml", Manifests.service("broken", "127.0.44.9", 70000));
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                String errors = browser.text("#errors");
                assertThat(errors).isNotNull().contains("broken.yaml").contains("port");
                assertThat(browser.all("#errors-box[hidden]")).isEmpty();
            });

            // Filtering by name leaves one Service.
            browser.all("#filter").get(0).sendKeys("api");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(browser.all("article.service[data-service='test/web']")).isEmpty();
                assertThat(browser.all("article.service[data-service='test/api']")).hasSize(1);
            });
            browser.all("#filter").get(0).clear();
            browser.script("document.getElementById('filter').dispatchEvent(new Event('input'))");
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(browser.all("article.service")).hasSize(3));
            assertThat(browser.text("#poll")).as("the last update drew without an error").startsWith("updated");
            browser.screenshot(Path.of("target", "dashboard.png"));

            // A narrow window keeps everything on the page, without a horizontal scroll of the page itself.
            browser.resize(420, 900);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(((Number) browser.script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue())
                    .isLessThanOrEqualTo(0));
            browser.screenshot(Path.of("target", "dashboard-narrow.png"));
        }
    }
}
