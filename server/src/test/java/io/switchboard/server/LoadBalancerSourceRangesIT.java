package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static io.switchboard.server.Clients.metric;
import static io.switchboard.server.Clients.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.DemoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadBalancerSourceRanges} and {@code ipMode} through real sockets: clients bound to loopback
 * addresses inside and outside the ranges connect over TCP (L4 and an HTTP port) and send UDP to a
 * load-balancer IP; the cluster IP of the same Service stays open to all, and an ingress the load
 * balancer proxies itself ({@code ipMode: Proxy}) is not served.
 */
class LoadBalancerSourceRangesIT {

    private static final String CLUSTER_IP = "127.0.9.10";
    private static final String LB_IP = "127.0.9.11";
    private static final String PROXIED_IP = "127.0.9.12";
    private static final int TCP = 15410;
    private static final int HTTP = 15411;
    private static final int UDP = 15412;
    private static final int TARGET = 15420;
    private static final String INSIDE = "127.0.0.5";
    private static final String INSIDE_TOO = "127.0.1.9";
    private static final String OUTSIDE = "127.0.0.6";

    @TempDir
    Path dir;

    private DemoBackend backend;
    private Switchboard sb;

    @BeforeEach
    void setUp() throws Exception {
        backend = DemoBackend.start("ep-1", new InetSocketAddress("127.0.8.21", TARGET), 1);
        Manifests.write(dir, "lb.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: lb, namespace: test}
                spec:
                  type: LoadBalancer
                  clusterIP: %s
                  loadBalancerSourceRanges: ["%s/32", "127.0.1.0/24"]
                  ports:
                  - {name: tcp, port: %d, targetPort: %d}
                  - {name: http, port: %d, targetPort: %d, appProtocol: http}
                  - {name: udp, protocol: UDP, port: %d, targetPort: %d}
                status:
                  loadBalancer:
                    ingress:
                    - ip: %s
                    - {ip: %s, ipMode: Proxy}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: lb-1, namespace: test, labels: {kubernetes.io/service-name: lb}}
                addressType: IPv4
                ports:
                - {name: tcp, port: %d}
                - {name: http, port: %d}
                - {name: udp, protocol: UDP, port: %d}
                endpoints:
                - addresses: [127.0.8.21]
                """.formatted(CLUSTER_IP, INSIDE, TCP, TARGET, HTTP, TARGET, UDP, TARGET, LB_IP, PROXIED_IP,
                TARGET, TARGET, TARGET));
        sb = Switchboard.start(SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
    }

    @AfterEach
    void tearDown() {
        if (sb != null) {
            sb.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static String http(String source, String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (response.isEmpty()) {
                throw new IOException("closed without a response");
            }
            return response;
        }
    }

    /** The reply to a {@code name} datagram, or null when none comes within 700 ms. */
    private static String udp(String source, String host) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0))) {
            s.setSoTimeout(700);
            byte[] q = "name".getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(q, q.length, new InetSocketAddress(host, UDP)));
            DatagramPacket p = new DatagramPacket(new byte[256], 256);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).trim();
        }
    }

    private double denied(String port, String protocol) throws Exception {
        return metric(admin(sb, "/metrics").body(), "switchboard_service_source_range_denied_total{port=\"" + port
                + "\",protocol=\"" + protocol + "\",service=\"test/lb\"}");
    }

    @Test
    void clientsOutsideTheRangesAreRefusedOnTheLoadBalancerIpAndCounted() throws Exception {
        assertThat(name(INSIDE, LB_IP, TCP)).isEqualTo("ep-1");
        assertThat(name(INSIDE_TOO, LB_IP, TCP)).isEqualTo("ep-1");
        assertThatThrownBy(() -> {
            String line = name(OUTSIDE, LB_IP, TCP);
            if (line == null) {
                throw new IOException("closed without a line");
            }
        }).isInstanceOf(IOException.class);

        assertThat(http(INSIDE_TOO, LB_IP, HTTP)).startsWith("HTTP/1.1 200").contains("X-Backend: ep-1");
        assertThatThrownBy(() -> http(OUTSIDE, LB_IP, HTTP)).isInstanceOf(IOException.class);

        assertThat(udp(INSIDE, LB_IP)).isEqualTo("ep-1");
        assertThat(udp(OUTSIDE, LB_IP)).isNull();
        assertThat(udp(OUTSIDE, LB_IP)).isNull();

        assertThat(denied("tcp", "TCP")).isEqualTo(1.0);
        assertThat(denied("http", "TCP")).isEqualTo(1.0);
        assertThat(denied("udp", "UDP")).isEqualTo(2.0);
        assertThat(admin(sb, "/api/v1/routes").body()).contains("\"sourceRanges\" : \"127.0.0.5/32,127.0.1.0/24\"");
    }

    @Test
    void theClusterIpOfTheSameServiceAdmitsEveryClient() throws Exception {
        assertThat(name(OUTSIDE, CLUSTER_IP, TCP)).isEqualTo("ep-1");
        assertThat(http(OUTSIDE, CLUSTER_IP, HTTP)).startsWith("HTTP/1.1 200");
        assertThat(udp(OUTSIDE, CLUSTER_IP)).isEqualTo("ep-1");
        assertThat(denied("tcp", "TCP")).isZero();
    }

    @Test
    void anIngressInProxyModeIsNotServedHere() throws Exception {
        assertThat(admin(sb, "/api/v1/routes").body()).contains(LB_IP + ":" + TCP).doesNotContain(PROXIED_IP);
        assertThatThrownBy(() -> name(INSIDE, PROXIED_IP, TCP)).isInstanceOf(IOException.class);
    }
}
