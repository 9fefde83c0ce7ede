package io.switchboard.server;

import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.admin.AdminRequestGuard;
import io.switchboard.admin.AdminServer;
import io.switchboard.backend.DemoBackend;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's state-changing actions: they exist only with {@code --admin-actions}, a plain
 * cross-site form cannot trigger them, and with the header a drain keeps new connections (sticky
 * ones too) off an endpoint and a flush ends UDP flows.
 */
class AdminActionsIT {

    private static final int PORT = 18451;
    private static final int UDP_PORT = 18452;
    private static final int TARGET = 19451;
    private static final String STICKY_VIP = "127.0.46.1";
    private static final String UDP_VIP = "127.0.46.2";
    private static final String A = "127.0.47.1";
    private static final String B = "127.0.47.2";
    private static final String C = "127.0.47.3";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
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

    private void start(boolean actions) throws Exception {
        for (var e : List.of(List.of("a", A), List.of("b", B), List.of("c", C))) {
            closeables.add(DemoBackend.start(e.get(0), new InetSocketAddress(e.get(1), TARGET), 1));
        }
        Manifests.write(dir, "sticky.yaml", Manifests.service("sticky", STICKY_VIP, PORT,
                        "sessionAffinity: ClientIP", ""),
                Manifests.slice("sticky", TARGET, List.of(A, B)));
        Manifests.write(dir, "dns.yaml", UdpIT.udpService("dns", UDP_VIP, UDP_PORT, TARGET, "", ""),
                UdpIT.udpSlice("dns", TARGET, List.of(C)));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2).withAdminActions(actions));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    private String base() {
        return "http://127.0.0.1:" + sb.adminAddress().getPort();
    }

    private HttpResponse<String> post(String path, String origin, boolean header) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (header) {
            b.header(AdminRequestGuard.ACTION_HEADER, "test");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What a form on another site posts: urlencoded, its own Origin, no custom header. */
    private HttpResponse<String> crossSiteForm(String path, String form) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Origin", "http://evil.example").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode endpointView(String service, String endpoint) throws Exception {
        JsonNode routes = AdminServer.JSON.readTree(Clients.admin(sb, "/api/v1/routes").body());
        for (JsonNode r : routes.path("routes")) {
            if (r.path("service").asText().equals(service)) {
                for (JsonNode e : r.path("endpoints")) {
                    if (e.path("address").asText().equals(endpoint)) {
                        return e;
                    }
                }
            }
        }
        throw new AssertionError("no endpoint " + endpoint + " of " + service);
    }

    private int flows() {
        return sb.dataPlane().flows(f -> true).size();
    }

    private static String udpName(DatagramSocket s) throws IOException {
        byte[] msg = "name".getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(msg, msg.length, new InetSocketAddress(UDP_VIP, UDP_PORT)));
        byte[] buf = new byte[512];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void withoutTheFlagTheActionsDoNotExist() throws Exception {
        start(false);
        String drain = "/api/v1/actions/drain?service=test/sticky&endpoint=" + B + ":" + TARGET;
        assertThat(post(drain, null, true).statusCode()).as("with the header").isEqualTo(404);
        assertThat(post("/api/v1/actions/flush?service=test/dns", null, true).statusCode()).isEqualTo(404);
        assertThat(crossSiteForm(drain, "x=1").statusCode()).as("a cross-site form").isEqualTo(403);
        assertThat(endpointView("test/sticky", B + ":" + TARGET).path("weight").asInt()).isEqualTo(1);
        assertThat(AdminServer.JSON.readTree(Clients.admin(sb, "/api/v1/status").body()).path("actions").asBoolean())
                .isFalse();
        try (Browser browser = Browser.start(1200, 900)) {
            browser.open(base() + "/");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(browser.all(
                    "tr[data-endpoint='" + B + ":" + TARGET + "']")).hasSize(1));
            assertThat(browser.all("button.action")).as("a read-only dashboard has no buttons").isEmpty();
        }
    }

    @Test
    void aCrossSiteFormIsRefusedAndWithTheHeaderDrainKeepsNewAndStickyConnectionsOff() throws Exception {
        start(true);
        String endpoint = B + ":" + TARGET;
        String drain = "/api/v1/actions/drain?service=test/sticky&endpoint=" + endpoint;
        HttpResponse<String> form = crossSiteForm(drain, "service=test%2Fsticky&endpoint=" + endpoint);
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(form.body()).contains(AdminRequestGuard.ACTION_HEADER);
        assertThat(post(drain, "http://evil.example", true).statusCode()).as("a foreign Origin, even with the header")
                .isEqualTo(403);
        assertThat(endpointView("test/sticky", endpoint).path("state").asText()).isEqualTo("up");

        // Clients pinned by ClientIP affinity, some of them to the endpoint about to drain.
        Set<String> pinnedToB = new HashSet<>();
        for (int i = 2; i < 12; i++) {
            String source = "127.0.48." + i;
            if (name(source, STICKY_VIP, PORT).equals("b")) {
                pinnedToB.add(source);
            }
        }
        assertThat(pinnedToB).isNotEmpty();

        long version = sb.table().version();
        HttpResponse<String> ok = post(drain, null, true);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("drained", endpoint);
        JsonNode view = endpointView("test/sticky", endpoint);
        assertThat(view.path("state").asText()).isEqualTo("drained(operator)");
        assertThat(view.path("weight").asInt()).isZero();
        assertThat(view.path("configuredWeight").asInt()).isEqualTo(1);
        long before = view.path("connections").asLong();
        for (String source : pinnedToB) {
            assertThat(name(source, STICKY_VIP, PORT)).as("a client pinned to the drained endpoint moves").isEqualTo("a");
        }
        for (int i = 20; i < 40; i++) {
            assertThat(name("127.0.48." + i, STICKY_VIP, PORT)).isEqualTo("a");
        }
        // The rebuild the drain asked for keeps it drained.
        await().atMost(Duration.ofSeconds(10)).until(() -> sb.table().version() > version);
        assertThat(endpointView("test/sticky", endpoint).path("state").asText()).isEqualTo("drained(operator)");
        for (int i = 40; i < 50; i++) {
            assertThat(name("127.0.48." + i, STICKY_VIP, PORT)).isEqualTo("a");
        }
        assertThat(endpointView("test/sticky", endpoint).path("connections").asLong()).as("no new connection")
                .isEqualTo(before);

        // Restored, it takes new clients again.
        assertThat(post(drain + "&undo=true", null, true).statusCode()).isEqualTo(200);
        assertThat(endpointView("test/sticky", endpoint).path("state").asText()).isEqualTo("up");
        Set<String> names = new HashSet<>();
        for (int i = 60; i < 70; i++) {
            names.add(name("127.0.48." + i, STICKY_VIP, PORT));
        }
        assertThat(names).contains("a", "b");

        assertThat(post("/api/v1/actions/drain?service=test/sticky&endpoint=127.0.47.99:1", null, true).statusCode())
                .as("an unknown endpoint").isEqualTo(404);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base() + drain)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("a GET changes nothing").isEqualTo(405);
    }

    @Test
    void aDrainedEndpointTakesNoRequestPinnedByAStickyCookie() throws Exception {
        start(true);
        Manifests.write(dir, "cart.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: cart
                  namespace: test
                  annotations: {switchboard.io/sticky-cookie: sb}
                spec:
                  clusterIP: 127.0.46.3
                  ports:
                  - name: web
                    port: %d
                    targetPort: %d
                    appProtocol: http
                """.formatted(PORT, TARGET), Manifests.slice("cart", TARGET, List.of(A, B)).replace("name: tcp", "name: web"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sb.table().services().keySet().stream()
                .anyMatch(id -> id.name().equals("cart")));
        URI uri = URI.create("http://127.0.46.3:" + PORT + "/");
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String pinned = first.body().trim();
        for (int i = 0; i < 5; i++) {
            assertThat(http.send(HttpRequest.newBuilder(uri).header("Cookie", cookie).build(),
                    HttpResponse.BodyHandlers.ofString()).body().trim()).as("the cookie pins").isEqualTo(pinned);
        }
        String pinnedAddress = (pinned.endsWith("a") ? A : B) + ":" + TARGET;
        assertThat(post("/api/v1/actions/drain?service=test/cart&endpoint=" + pinnedAddress, null, true).statusCode())
                .isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(http.send(HttpRequest.newBuilder(uri).header("Cookie", cookie).build(),
                    HttpResponse.BodyHandlers.ofString()).body().trim()).as("drained: the cookie no longer pins")
                    .isNotEqualTo(pinned);
        }
    }

    @Test
    void flushEndsTheFlowsOfAServiceOnlyWithTheHeader() throws Exception {
        start(true);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.48.100", 0))) {
            s.setSoTimeout(3000);
            assertThat(udpName(s)).isEqualTo("c");
            await().atMost(Duration.ofSeconds(5)).until(() -> flows() == 1);
            assertThat(crossSiteForm("/api/v1/actions/flush?service=test/dns", "x=1").statusCode()).isEqualTo(403);
            assertThat(flows()).isEqualTo(1);
            HttpResponse<String> ok = post("/api/v1/actions/flush?service=test/dns", null, true);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(AdminServer.JSON.readTree(ok.body()).path("flushed").asInt()).isEqualTo(1);
            assertThat(flows()).isZero();
            assertThat(udpName(s)).as("the next datagram opens a new flow").isEqualTo("c");
        }
    }

    @Test
    void theDashboardsButtonsDrainAndRestoreWithTheHeader() throws Exception {
        start(true);
        String endpoint = B + ":" + TARGET;
        String row = "article[data-service='test/sticky'] tr[data-endpoint='" + endpoint + "']";
        try (Browser browser = Browser.start(1200, 900)) {
            browser.open(base() + "/");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(browser.all(row + " button.drain"))
                    .hasSize(1));
            browser.click(row + " button.drain");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(browser.attribute(row, "data-state")).isEqualTo("drained(operator)");
                assertThat(browser.all(row + " button.undrain")).hasSize(1);
            });
            assertThat(endpointView("test/sticky", endpoint).path("weight").asInt()).isZero();
            assertThat(browser.text("#message")).contains("drain done");
            browser.click(row + " button.undrain");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(browser.attribute(row, "data-state"))
                    .isEqualTo("up"));
            assertThat(browser.all("article[data-service='test/dns'] button.flush")).as("UDP Services can be flushed")
                    .isNotEmpty();
        }
    }
}
