package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.backend.DemoBackend;
import io.switchboard.dataplane.Transport;
import io.switchboard.dataplane.Transports;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every transport {@code --transport} offers carries the same traffic the same way: a TCP relay
 * (bytes intact both ways, half-close), UDP flows (datagrams of every size, empty ones too where the
 * transport can send them), per-request HTTP balancing, and an HTTP/2 connection's last word (its
 * GOAWAY) ahead of its end, through one instance per transport, in front of endpoints on that same
 * transport; and a stop ends every UDP flow before the event loops stop. A pair (TCP on io_uring,
 * UDP on epoll, as {@link Transports} allows) carries all three too.
 */
class TransportIT {

    private static final int TCP = 16110;
    private static final int UDP = 16111;
    private static final int HTTP = 16112;
    private static final int TARGET = 16120;
    private static final InetSocketAddress VIP_UDP = new InetSocketAddress("127.0.6.142", UDP);

    @TempDir
    Path dir;

    private Switchboard sb;
    private DemoBackend a;
    private DemoBackend b;

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private void start(Transport transport) throws Exception {
        // The endpoints run on the proxy's transport too, so each transport is tested at both ends.
        start(transport, Transports.of(transport));
    }

    private void start(Transport endpoints, Transports proxy) throws Exception {
        a = DemoBackend.start("a", new InetSocketAddress("127.0.8.111", TARGET), 1, endpoints);
        b = DemoBackend.start("b", new InetSocketAddress("127.0.8.112", TARGET), 1, endpoints);
        List<String> both = List.of("127.0.8.111", "127.0.8.112");
        Manifests.write(dir, "tcp.yaml", Manifests.service("relay", "127.0.6.141", TCP),
                Manifests.slice("relay", TARGET, both));
        Manifests.write(dir, "udp.yaml", UdpIT.udpService("datagrams", "127.0.6.142", UDP, TARGET, "", ""),
                UdpIT.udpSlice("datagrams", TARGET, both));
        Manifests.write(dir, "http.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: test
                spec:
                  clusterIP: 127.0.6.143
                  ports:
                  - name: tcp
                    port: %d
                    targetPort: tcp
                    appProtocol: http
                """.formatted(HTTP), Manifests.slice("web", TARGET, both));
        startProxy(proxy);
    }

    private void startProxy(Transports transports) throws Exception {
        SwitchboardConfig config = SwitchboardConfig.defaults(dir).withAdmin(new InetSocketAddress("127.0.0.1", 0))
                .withWorkers(2);
        assertThat(config.transport()).as("the default").isEqualTo(Transports.auto());
        sb = Switchboard.start(config.withTransports(transports));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        assertThat(Clients.admin(sb, "/api/v1/instance").body())
                .contains("\"transport\" : \"" + transports.stream().label() + "\"")
                .contains("\"udpTransport\" : \"" + transports.datagram().label() + "\"");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aTcpRelayCarriesBytesIntactBothWaysAndHalfCloses(Transport transport) throws Exception {
        start(transport);
        byte[] payload = new byte[4 << 20];
        new Random(7).nextBytes(payload);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.6.141", TCP), 2000);
            s.setSoTimeout(10_000);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write("x".getBytes(StandardCharsets.US_ASCII));
                    out.write(payload);
                    s.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream(payload.length + 16);
            in.transferTo(got);
            writer.join();
            byte[] all = got.toByteArray();
            String greeting = new String(all, 0, 2, StandardCharsets.US_ASCII);
            assertThat(greeting).isIn("a\n", "b\n");
            // The echo after the greeting: the one byte that chose the echo mode, then the payload.
            assertThat(all.length).isEqualTo(2 + 1 + payload.length);
            assertThat(Arrays.equals(all, 3, all.length, payload, 0, payload.length)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void udpFlowsCarryDatagramsOfEverySizeBothWays(Transport transport) throws Exception {
        start(transport);
        Random random = new Random(11);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(5000);
            assertThat(exchange(s, "name".getBytes(StandardCharsets.US_ASCII))).isIn("a", "b");
            for (int size : new int[] {1, 512, 1472, 9000, 65_507}) {
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                s.send(new DatagramPacket(payload, payload.length, VIP_UDP));
                DatagramPacket reply = new DatagramPacket(new byte[70_000], 70_000);
                s.receive(reply);
                assertThat(Arrays.copyOf(reply.getData(), reply.getLength())).as("%d bytes", size).isEqualTo(payload);
            }
            if (transport == Transport.NIO) {
                return; // NIO cannot send an empty datagram (README); the native transports can.
            }
            s.send(new DatagramPacket(new byte[0], 0, VIP_UDP));
            DatagramPacket empty = new DatagramPacket(new byte[16], 16);
            s.receive(empty);
            assertThat(empty.getLength()).as("an empty datagram echoed").isZero();
        }
    }

    private static String exchange(DatagramSocket s, byte[] request) throws java.io.IOException {
        s.send(new DatagramPacket(request, request.length, VIP_UDP));
        DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
        s.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII).trim();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void httpRequestsOnOneConnectionAreBalancedOverBothEndpoints(Transport transport) throws Exception {
        start(transport);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.6.143:" + HTTP + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            names.add(r.body().trim());
        }
        assertThat(names).containsExactlyInAnyOrder("a", "b");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStopWithUdpFlowsOpenEndsEachFlowWhileTheEventLoopsStillRun(Transport transport) throws Exception {
        start(transport);
        ch.qos.logback.classic.Logger netty = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "io.netty.channel");
        // Whether a close is still unfinished when the loops stop depends on the moment: a single stop
        // showed it about every other time, so there are eight, of a hundred flows each.
        for (int round = 0; round < 8; round++) {
            if (round > 0) {
                startProxy(Transports.of(transport));
            }
            byte[] name = "name".getBytes(StandardCharsets.US_ASCII);
            List<DatagramSocket> clients = new java.util.ArrayList<>();
            try {
                // All open at once, so that no two share a port (and so a flow).
                for (int i = 0; i < 100; i++) {
                    DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                    clients.add(s);
                    s.send(new DatagramPacket(name, name.length, VIP_UDP));
                }
                int r = round;
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sb.dataPlane().flows(f -> true))
                        .as("flows open before stop %d", r + 1).hasSize(100));
            } finally {
                clients.forEach(DatagramSocket::close);
            }
            ListAppender<ILoggingEvent> events = new ListAppender<>();
            events.start();
            netty.addAppender(events);
            try {
                sb.close();
            } finally {
                netty.detachAppender(events);
            }
            // Netty warns for each socket whose close finished after its event loop stopped.
            assertThat(events.list).as("Netty's warnings during stop %d", round + 1)
                    .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anHttp2ClientOverItsStreamLimitReadsTheGoAwayThatEndsItsConnection(Transport transport) throws Exception {
        start(transport);
        try (RawH2 greedy = new RawH2("127.0.6.143", HTTP)) {
            // 1,000 streams where 100 are allowed: Netty refuses the rest, and past 200 refusals ends
            // the connection with GOAWAY ENHANCE_YOUR_CALM, which must reach the client before the FIN.
            for (int i = 0; i < 1000; i++) {
                greedy.headers(1 + 2 * i, "POST", false);
            }
            greedy.flush();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(greedy.closedByPeer).isTrue());
            assertThat(greedy.goAway.get()).as("the first GOAWAY's code").isEqualTo(RawH2.ENHANCE_YOUR_CALM);
        }
    }

    @Test
    void aPairCarriesTcpOnIoUringAndUdpOnEpoll() throws Exception {
        assumeTrue(Transport.IO_URING.unavailabilityCause() == null && Transport.EPOLL.unavailabilityCause() == null,
                "io_uring and epoll are both available here");
        start(Transport.IO_URING, new Transports(Transport.IO_URING, Transport.EPOLL));
        assertThat(sb.dataPlane().transport()).isEqualTo(Transport.IO_URING);
        assertThat(sb.dataPlane().datagramTransport()).isEqualTo(Transport.EPOLL);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(5000);
            assertThat(exchange(s, "name".getBytes(StandardCharsets.US_ASCII))).isIn("a", "b");
            s.send(new DatagramPacket(new byte[0], 0, VIP_UDP));
            DatagramPacket empty = new DatagramPacket(new byte[16], 16);
            s.receive(empty);
            assertThat(empty.getLength()).as("an empty datagram echoed (epoll's batched reads keep it)").isZero();
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.6.141", TCP), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("xyz".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(got).isIn("a\nxyz", "b\nxyz");
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.6.143:" + HTTP + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body().trim()).isIn("a", "b");
    }

    @Test
    void anUnknownTransportIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> Transport.select("dpdk")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown transport 'dpdk': expected auto, io_uring, epoll or nio");
        assertThat(Transport.select("AUTO")).isEqualTo(Transport.best());
        assertThat(Transport.select("io-uring")).isEqualTo(Transport.IO_URING);
    }
}
