package io.switchboard.dataplane.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.switchboard.dataplane.BlockingBackend;
import io.switchboard.dataplane.DataPlane;
import io.switchboard.dataplane.Transport;
import io.switchboard.dataplane.Transports;
import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointConditions;
import io.switchboard.model.EndpointPort;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServiceOptions;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServiceType;
import io.switchboard.model.SessionAffinity;
import io.switchboard.model.TargetPort;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.routing.ServicePortStats;
import io.switchboard.scheduler.SchedulerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The TCP relay through real sockets, driven by routing tables built directly. */
class TcpRelayIT {

    private static final int PORT = 18080;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("node",
            List.of(), SchedulerConfig.DEFAULT, System::nanoTime));
    private DataPlane plane;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (plane != null) {
            plane.close();
        }
    }

    private DataPlane plane(int wildcardThreshold) {
        return plane(wildcardThreshold, 0);
    }

    private DataPlane plane(int wildcardThreshold, int maxConnections) {
        plane = new DataPlane(new DataPlane.Settings(2, wildcardThreshold, 10_000, 1024, maxConnections));
        return plane;
    }

    /** A plane on {@code transport} whose buffers come from {@code allocator}. */
    private DataPlane plane(Transport transport, ByteBufAllocator allocator) {
        plane = new DataPlane(new DataPlane.Settings(2, 64, 10_000, 1024, 0, Transports.of(transport), allocator));
        return plane;
    }

    private BlockingBackend backend(String name) throws IOException {
        BlockingBackend b = new BlockingBackend(name);
        closeables.add(b);
        return b;
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Service service(String name, String vip, ServiceOptions options, SessionAffinity affinity) {
        return new Service(new ServiceId("test", name), ServiceType.CLUSTER_IP, List.of(ip(vip)), List.of(), List.of(),
                List.of(new ServicePort("tcp", Protocol.TCP, PORT, TargetPort.of(1), 0, "")), affinity,
                TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER, options);
    }

    private static Service service(String name, String vip) {
        return service(name, vip, ServiceOptions.DEFAULT, SessionAffinity.NONE);
    }

    /** One slice per endpoint port, since test endpoints share 127.0.0.1 on different ports. */
    private void apply(Map<Service, List<Integer>> services) {
        Map<ServiceId, Service> byId = new HashMap<>();
        Map<ServiceId, List<EndpointSlice>> slices = new HashMap<>();
        services.forEach((svc, ports) -> {
            byId.put(svc.id(), svc);
            List<EndpointSlice> list = new ArrayList<>();
            for (int p : ports) {
                list.add(new EndpointSlice(svc.id().name() + "-" + p, svc.id(),
                        List.of(new EndpointPort("tcp", Protocol.TCP, p)),
                        List.of(new Endpoint(List.of(InetAddress.getLoopbackAddress()), EndpointConditions.READY,
                                null, null, null)), false));
            }
            slices.put(svc.id(), list);
        });
        Set<ServiceId> changed = new java.util.HashSet<>(byId.keySet());
        changed.addAll(builder.current().services().keySet());
        plane.apply(builder.apply(changed, new ClusterSnapshot(byId, slices)));
    }

    private static Socket connect(String vip) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(vip, PORT), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static Socket connectFrom(String source, String vip) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress(vip, PORT), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    /** The reset may arrive before connect() returns or at the first read: either way, not served. */
    private static void assertReset(String vip) {
        assertThatThrownBy(() -> {
            try (Socket s = connect(vip)) {
                s.getInputStream().read();
            }
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }

    /** Opens {@code n} connections to {@code vip} into {@code into}, each greeted by {@code expected}. */
    private static void openGreeted(List<Socket> into, String vip, int n, String expected) throws IOException {
        for (int i = 0; i < n; i++) {
            Socket s = connect(vip);
            into.add(s);
            assertThat(greeting(s)).as("connection %d to %s", i, vip).isEqualTo(expected);
        }
    }

    private static String greeting(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    private ServicePortStats stats(String name) {
        return plane.table().services().get(new ServiceId("test", name)).pools().get(0).stats();
    }

    @Test
    void roundRobinSpreads300ConnectionsExactlyEvenly() throws IOException {
        plane(64);
        BlockingBackend a = backend("a");
        BlockingBackend b = backend("b");
        BlockingBackend c = backend("c");
        apply(Map.of(service("rr", "127.0.1.10"), List.of(a.port(), b.port(), c.port())));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            try (Socket s = connect("127.0.1.10")) {
                counts.merge(greeting(s), 1, Integer::sum);
            }
        }
        assertThat(counts).containsOnly(Map.entry("a", 100), Map.entry("b", 100), Map.entry("c", 100));
    }

    /**
     * The client sends 32 MiB and reads the echo slowly for the first half. The allocator is unpooled so
     * that its count is the bytes the relay holds, not the chunks a pool keeps. The client sends its FIN
     * only after the whole echo is in: on a FIN, Netty's epoll and io_uring channels read everything the
     * kernel has queued for that socket whether or not reading is paused (up to the socket's receive
     * buffer), which is the kernel's bound, not the relay's.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void bytesArriveIntactBothWaysAndASlowReaderBoundsWhatTheRelayHolds(Transport transport) throws Exception {
        assumeTrue(transport.unavailabilityCause() == null, () -> transport + " unavailable here");
        UnpooledByteBufAllocator counting = new UnpooledByteBufAllocator(true);
        plane(transport, counting);
        BlockingBackend echo = backend("echo");
        apply(Map.of(service("echo", "127.0.1.11"), List.of(echo.port())));
        int size = 32 * 1024 * 1024;
        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        sent.update(payload);
        try (Socket s = connect("127.0.1.11")) {
            s.setSoTimeout(60_000);
            assertThat(greeting(s)).isEqualTo("echo");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < size; off += 256 * 1024) {
                        out.write(payload, off, 256 * 1024);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            long peakHeld = 0;
            while (total < size) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, size - total));
                assertThat(n).as("echo ended after %d bytes", total).isPositive();
                received.update(buf, 0, n);
                total += n;
                if (total < size / 2) {
                    // Slow reader for the first half: ~6 MiB/s while the writer pushes as fast as it can.
                    Thread.sleep(total % (256 * 1024) < n ? 10 : 0);
                    peakHeld = Math.max(peakHeld, counting.metric().usedDirectMemory()
                            + counting.metric().usedHeapMemory());
                }
            }
            writer.get(60, TimeUnit.SECONDS);
            s.shutdownOutput();
            assertThat(in.read()).as("the echo ends after our FIN").isEqualTo(-1);
            assertThat(received.digest()).isEqualTo(sent.digest());
            // One read (RelayReads.MAX_READ) waits for the slow side per direction: 1 MiB on every
            // transport in repeated runs; the pooled allocator's chunks had shown 4-17 MiB for the same.
            assertThat(peakHeld).as("bytes the relay held while the reader was slow")
                    .isLessThanOrEqualTo(2L * 1024 * 1024);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(stats("echo").bytesToEndpoints()).isEqualTo(size);
            assertThat(stats("echo").bytesFromEndpoints()).isEqualTo(size + "echo\n".length());
        });
    }

    /**
     * Idle relayed connections hold no buffers on any transport: epoll and NIO read only when told the
     * socket has data, and Netty's io_uring channel waits on a poll, not on a receive with a buffer, until
     * then. What an idle connection costs is its objects on the heap.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void idleRelayedConnectionsHoldNoBuffers(Transport transport) throws Exception {
        assumeTrue(transport.unavailabilityCause() == null, () -> transport + " unavailable here");
        UnpooledByteBufAllocator counting = new UnpooledByteBufAllocator(true);
        plane(transport, counting);
        BlockingBackend echo = backend("echo");
        apply(Map.of(service("echo", "127.0.1.11"), List.of(echo.port())));
        List<Socket> open = new ArrayList<>();
        try {
            openGreeted(open, "127.0.1.11", 200, "echo");
            assertThat(stats("echo").connectionCount()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    counting.metric().usedDirectMemory() + counting.metric().usedHeapMemory())
                    .as("buffer bytes held by 200 idle relayed connections").isZero());
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void halfCloseTravelsEachWayIndependently() throws IOException {
        plane(64);
        BlockingBackend echo = backend("echo");
        apply(Map.of(service("half", "127.0.1.12"), List.of(echo.port())));
        try (Socket s = connect("127.0.1.12")) {
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            // The backend sees our FIN only through the proxy; it then finishes and closes its side.
            byte[] all = s.getInputStream().readAllBytes();
            assertThat(new String(all, StandardCharsets.US_ASCII)).isEqualTo("echo\nping");
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(plane.table().services().get(new ServiceId("test", "half")).allBackends().get(0)
                        .inactiveConnections() + plane.table().services().get(new ServiceId("test", "half"))
                        .allBackends().get(0).activeConnections()).isZero());
    }

    @Test
    void aResetFromTheEndpointResetsTheClient() throws IOException {
        plane(64);
        BlockingBackend resetting = backend("rst").resetOnFirstByte();
        apply(Map.of(service("rst", "127.0.1.13"), List.of(resetting.port())));
        try (Socket s = connect("127.0.1.13")) {
            assertThat(greeting(s)).isEqualTo("rst");
            s.getOutputStream().write(1);
            assertThatThrownBy(() -> {
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // drain until the reset arrives
                }
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void aServiceWithoutEndpointsResetsAtOnce() throws IOException {
        plane(64);
        apply(Map.of(service("empty", "127.0.1.14"), List.of()));
        long start = System.nanoTime();
        assertReset("127.0.1.14");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(stats("empty").rejectedCount()).isEqualTo(1);
    }

    @Test
    void aDeadEndpointCostsNoConnection() throws IOException {
        plane(64);
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort();
        }
        BlockingBackend live = backend("live");
        apply(Map.of(service("retry", "127.0.1.15"), List.of(deadPort, live.port())));
        for (int i = 0; i < 50; i++) {
            try (Socket s = connect("127.0.1.15")) {
                assertThat(greeting(s)).isEqualTo("live");
            }
        }
        assertThat(stats("retry").retryCount()).isGreaterThanOrEqualTo(1);
        assertThat(stats("retry").rejectedCount()).isZero();
    }

    @Test
    void clientIpAffinityPinsEachSourceAddress() throws IOException {
        plane(64);
        BlockingBackend a = backend("a");
        BlockingBackend b = backend("b");
        BlockingBackend c = backend("c");
        apply(Map.of(service("sticky", "127.0.1.16", ServiceOptions.DEFAULT,
                SessionAffinity.clientIp(Duration.ofSeconds(30))), List.of(a.port(), b.port(), c.port())));
        Map<String, String> first = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (int client = 2; client <= 7; client++) {
                String source = "127.0.2." + client;
                try (Socket s = connectFrom(source, "127.0.1.16")) {
                    String name = greeting(s);
                    assertThat(first.computeIfAbsent(source, k -> name)).as(source).isEqualTo(name);
                }
            }
        }
        assertThat(new java.util.HashSet<>(first.values())).as("rr placed the six clients on all three")
                .hasSize(3);
    }

    @Test
    void aWildcardListenerResetsAddressesNoServiceServes() throws IOException {
        plane(1);
        BlockingBackend a = backend("a");
        apply(Map.of(service("one", "127.0.1.17"), List.of(a.port()),
                service("two", "127.0.1.18"), List.of(a.port())));
        assertThat(plane.listeners()).singleElement().satisfies(l -> assertThat(l.wildcard()).isTrue());
        try (Socket s = connect("127.0.1.18")) {
            assertThat(greeting(s)).isEqualTo("a");
        }
        assertReset("127.0.1.19");
        assertThat(plane.state().stats().unroutedCount()).isEqualTo(1);
    }

    @Test
    void aWildcardListenerIsDualStackWhileAnIpv6AddressIsAmongItsAddressesAndIpv4OnlyAfter() throws IOException {
        plane(1);
        BlockingBackend a = backend("a");
        Service v4 = service("four", "127.0.1.21");
        Service v4b = service("four-b", "127.0.1.22");
        Service v6 = service("six", "::1");
        apply(Map.of(v4, List.of(a.port()), v4b, List.of(a.port()), v6, List.of(a.port())));
        assertThat(plane.listeners()).singleElement().satisfies(l -> {
            assertThat(l.wildcard()).isTrue();
            assertThat(l.key().address().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:0");
        });
        for (String vip : List.of("127.0.1.21", "::1")) {
            try (Socket s = connect(vip)) {
                assertThat(greeting(s)).as("through %s", vip).isEqualTo("a");
            }
        }
        apply(Map.of(v4, List.of(a.port()), v4b, List.of(a.port())));
        assertThat(plane.listeners()).singleElement().satisfies(l -> {
            assertThat(l.wildcard()).isTrue();
            assertThat(l.key().address().getHostAddress()).isEqualTo("0.0.0.0");
        });
        try (Socket s = connect("127.0.1.22")) {
            assertThat(greeting(s)).isEqualTo("a");
        }
    }

    @Test
    void removingAnEndpointKeepsItsOpenConnectionAndStopsNewOnes() throws IOException {
        plane(64);
        BlockingBackend a = backend("a");
        BlockingBackend b = backend("b");
        Service svc = service("drain", "127.0.1.20");
        apply(Map.of(svc, List.of(a.port(), b.port())));
        try (Socket pinned = connect("127.0.1.20")) {
            assertThat(greeting(pinned)).isEqualTo("a");
            apply(Map.of(svc, List.of(b.port())));
            for (int i = 0; i < 10; i++) {
                try (Socket s = connect("127.0.1.20")) {
                    assertThat(greeting(s)).isEqualTo("b");
                }
            }
            pinned.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
            pinned.shutdownOutput();
            assertThat(new String(pinned.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("still here");
        }
    }

    @Test
    void aConnectionQuietBothWaysForTheIdleTimeoutIsClosedAndABusyOneIsNot() throws Exception {
        plane(64);
        BlockingBackend a = backend("a");
        ServiceOptions d = ServiceOptions.DEFAULT;
        ServiceOptions idle = new ServiceOptions(d.scheduler(), d.schedulerFlags(), d.endpointWeights(),
                d.healthCheck(), d.connectTimeout(), d.connectAttempts(), Duration.ofMillis(600), d.downBackoff(),
                d.udpTimeout(), d.udpStreamTimeout(), d.http());
        apply(Map.of(service("idle", "127.0.1.17", idle, SessionAffinity.NONE), List.of(a.port())));
        try (Socket quiet = connect("127.0.1.17"); Socket busy = connect("127.0.1.17")) {
            // The greeting, relayed after connect() returned, is the quiet connection's last traffic.
            long t0 = System.nanoTime();
            assertThat(greeting(quiet)).isEqualTo("a");
            assertThat(greeting(busy)).isEqualTo("a");
            // The busy one sends every 200 ms for 2 s: three times the timeout, never 600 ms quiet.
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        Thread.sleep(200);
                        busy.getOutputStream().write('x');
                        assertThat(busy.getInputStream().read()).as("echo " + i).isEqualTo('x');
                    }
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(quiet.getInputStream().read()).as("the quiet one is closed").isEqualTo(-1);
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(closedAfter).as("closed after the timeout, not long after").isBetween(600L, 1500L);
            traffic.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void atTheConnectionLimitNewClientsWaitUntilOthersClose() throws Exception {
        plane(64, 4);
        BlockingBackend a = backend("a");
        apply(Map.of(service("cap", "127.0.1.18"), List.of(a.port())));
        List<Socket> open = new ArrayList<>();
        try {
            openGreeted(open, "127.0.1.18", 4, "a");
            assertThat(plane.connectionLimit().open()).isEqualTo(4);
            assertThat(plane.connectionLimit().pauses()).isEqualTo(1);
            // The kernel completes the handshake, but the connection waits in the accept queue.
            Socket waiting = connect("127.0.1.18");
            open.add(waiting);
            waiting.setSoTimeout(500);
            assertThatThrownBy(() -> waiting.getInputStream().read()).isInstanceOf(java.net.SocketTimeoutException.class);
            open.remove(0).close();
            waiting.setSoTimeout(5000);
            assertThat(greeting(waiting)).as("accepted once one closed").isEqualTo("a");
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> plane.connectionLimit().open() == 0);
        try (Socket s = connect("127.0.1.18")) {
            assertThat(greeting(s)).isEqualTo("a");
        }
    }

    @Test
    void aRemovedServiceStopsAccepting() throws IOException {
        plane(64);
        BlockingBackend a = backend("a");
        apply(Map.of(service("gone", "127.0.1.21"), List.of(a.port())));
        try (Socket s = connect("127.0.1.21")) {
            assertThat(greeting(s)).isEqualTo("a");
        }
        apply(Map.of());
        assertThatThrownBy(() -> connect("127.0.1.21")).isInstanceOf(java.net.ConnectException.class);
    }
    @Test
    void afterAFloodAtTheLimitEndsTheNextClientIsServedAtOnce() throws Exception {
        plane(64, 4);
        BlockingBackend a = backend("a");
        apply(Map.of(service("flood", "127.0.1.19"), List.of(a.port())));
        List<Socket> flood = new ArrayList<>();
        openGreeted(flood, "127.0.1.19", 4, "a");
        // Beyond the cap, the rest wait in the accept queue.
        for (int i = 0; i < 200; i++) {
            flood.add(connect("127.0.1.19"));
        }
        for (Socket s : flood) {
            s.close();
        }
        // The queued connections, closed by their clients, are accepted and dropped; then this one is served.
        try (Socket s = connect("127.0.1.19")) {
            s.setSoTimeout(10_000);
            assertThat(greeting(s)).isEqualTo("a");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> plane.connectionLimit().open() == 0);
    }


    @Test
    void atTheCapOneClosedConnectionLetsTheNextQueuedClientIn() throws Exception {
        // Case 13: accepting used to resume only 5 % below the cap, so a queued client waited for
        // five closes (and after a flood, for the queue of dead clients ahead of it).
        plane(64, 100);
        BlockingBackend a = backend("a");
        apply(Map.of(service("cap", "127.0.1.22"), List.of(a.port())));
        List<Socket> held = new ArrayList<>();
        try {
            openGreeted(held, "127.0.1.22", 100, "a");
            await().atMost(Duration.ofSeconds(5)).until(() -> plane.connectionLimit().open() == 100);
            try (Socket queued = connect("127.0.1.22")) {
                held.remove(0).close();
                queued.setSoTimeout(10_000);
                assertThat(greeting(queued)).isEqualTo("a");
                assertThat(plane.connectionLimit().open()).isEqualTo(100);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void belowTheCapAClientThatHalfClosesBeforeSendingStillReadsWhatTheEndpointSends() throws Exception {
        // Dropping a client that ends its side before its endpoint connected is for the crowded cap
        // only: otherwise a client may well send nothing and wait for the server to speak first.
        plane(64, 100);
        BlockingBackend a = backend("a");
        apply(Map.of(service("banner", "127.0.1.23"), List.of(a.port())));
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.1.23", PORT), 2000);
                s.shutdownOutput();
                s.setSoTimeout(5000);
                assertThat(greeting(s)).as("try %d", i).isEqualTo("a");
            }
        }
    }
}
