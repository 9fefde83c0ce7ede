package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.switchboard.server.MockApi.Ep;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kube-proxy's health servers, followed by a real HTTP client while endpoints come and go: the
 * health-check node port of an {@code externalTrafficPolicy: Local} Service, and the proxy's own
 * {@code /healthz} and {@code /livez}. The API is fabric8's mock server in CRUD mode.
 */
class HealthCheckIT {

    private static final int HEALTH_PORT = 18301;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private MockApi api;
    private Switchboard sb;

    @AfterEach
    void tearDown() {
        if (sb != null) {
            sb.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private HttpResponse<String> get(InetSocketAddress a, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> serviceHealth(String path) throws Exception {
        return get(new InetSocketAddress("127.0.0.1", HEALTH_PORT), path);
    }

    private static io.fabric8.kubernetes.api.model.Service lb() {
        return new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("lb").endMetadata()
                .withNewSpec().withType("LoadBalancer").withClusterIP("127.0.8.20").withClusterIPs("127.0.8.20")
                .withExternalTrafficPolicy("Local").withHealthCheckNodePort(HEALTH_PORT)
                .addNewPort().withName("http").withPort(18190).withNodePort(31190).withNewTargetPort(19190)
                .withProtocol("TCP").endPort().endSpec().build();
    }

    private static Ep ep(String ip, boolean ready, String node) {
        return new Ep(ip, ready, ready, !ready, node, null, null);
    }

    @Test
    void theHealthCheckNodePortCountsReadyLocalEndpointsExactlyAsKubeProxyAnswers() throws Exception {
        api = new MockApi();
        api.node("node-1", Map.of(), null);
        api.client().resource(lb()).create();
        api.client().resource(MockApi.slice("shop", "lb-1", "lb", 19190, List.of(ep("127.0.7.1", true, "node-1"),
                ep("127.0.7.2", true, "node-2")))).create();
        sb = Switchboard.start(api.config(dir, "node-1"));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();

        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> serviceHealth("/").statusCode() == 200);
        HttpResponse<String> ok = serviceHealth("/any/path?x=1");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ok.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(ok.body()).isEqualTo(
                "{\"service\":{\"namespace\":\"shop\",\"name\":\"lb\"},\"localEndpoints\":1,\"serviceProxyHealthy\":true}");

        // The local endpoint starts terminating: serving, not ready. It is not counted, so the node drains.
        api.client().resource(MockApi.slice("shop", "lb-1", "lb", 19190, List.of(ep("127.0.7.1", false, "node-1"),
                ep("127.0.7.2", true, "node-2")))).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> serviceHealth("/").statusCode() == 503);
        assertThat(serviceHealth("/").body()).isEqualTo(
                "{\"service\":{\"namespace\":\"shop\",\"name\":\"lb\"},\"localEndpoints\":0,\"serviceProxyHealthy\":true}");

        api.client().resource(MockApi.slice("shop", "lb-1", "lb", 19190, List.of(ep("127.0.7.1", true, "node-1"),
                ep("127.0.7.3", true, "node-1"), ep("127.0.7.2", true, "node-2")))).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> serviceHealth("/").body().contains("\"localEndpoints\":2"));
        assertThat(serviceHealth("/").statusCode()).isEqualTo(200);

        api.client().resource(lb()).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try {
                serviceHealth("/");
                return false;
            } catch (java.io.IOException e) {
                return true;
            }
        });
    }

    @Test
    void healthzFailsWhileTheNodeIsDrainedByTheAutoscalerAndLivezDoesNot() throws Exception {
        api = new MockApi();
        api.node("node-1", Map.of("topology.kubernetes.io/zone", "zone-a"), null);
        sb = Switchboard.start(api.config(dir, "node-1"));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        InetSocketAddress healthz = sb.healthzAddress();

        await().atMost(Duration.ofSeconds(10)).until(() -> get(healthz, "/healthz").statusCode() == 200);
        HttpResponse<String> ok = get(healthz, "/healthz");
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ok.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        JsonNode body = JSON.readTree(ok.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("lastUpdated", "currentTime", "nodeEligible", "healthy");
        assertThat(body.get("nodeEligible").asBoolean()).isTrue();
        assertThat(body.get("healthy").asBoolean()).isTrue();
        Instant now = Instant.parse(body.get("currentTime").asText());
        assertThat(Duration.between(now, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));

        // The zone changes with the taint, so the zone in effect shows when the update was applied.
        api.node("node-1", Map.of("topology.kubernetes.io/zone", "zone-b"), "some-other-taint");
        await().atMost(Duration.ofSeconds(10)).until(() -> sb.zoneInEffect().equals("zone-b"));
        assertThat(get(healthz, "/healthz").statusCode()).as("other taints do not matter").isEqualTo(200);

        api.node("node-1", Map.of("topology.kubernetes.io/zone", "zone-a"), "ToBeDeletedByClusterAutoscaler");
        await().atMost(Duration.ofSeconds(10)).until(() -> get(healthz, "/healthz").statusCode() == 503);
        JsonNode drained = JSON.readTree(get(healthz, "/healthz").body());
        assertThat(drained.get("nodeEligible").asBoolean()).isFalse();
        assertThat(drained.get("healthy").asBoolean()).isTrue();
        HttpResponse<String> live = get(healthz, "/livez");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).has("nodeEligible")).isFalse();

        api.client().nodes().withName("node-1").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> get(healthz, "/healthz").statusCode() == 503);
        api.node("node-1", Map.of(), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> get(healthz, "/healthz").statusCode() == 200);
    }
}
