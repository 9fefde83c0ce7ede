package io.switchboard.server;

import static io.switchboard.server.Clients.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.DemoBackend;
import io.switchboard.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UDP Services end to end: real datagram sockets, a real DNS server, the conntrack CLI. */
class UdpIT {

    private static final int PORT = 15300;
    private static final int TARGET = 15301;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Switchboard sb;

    @AfterEach
    void tearDown() throws Exception {
        if (sb != null) {
            sb.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static String udpService(String name, String vip, int port, int target, String spec, String annotations) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: test
                  annotations: {%s}
                spec:
                  clusterIP: %s
                  %s
                  ports:
                  - name: udp
                    protocol: UDP
                    port: %d
                    targetPort: %d
                """.formatted(name, annotations, vip, spec, port, target);
    }

    static String udpSlice(String service, int target, List<String> addresses) {
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
                - name: udp
                  protocol: UDP
                  port: %d
                endpoints:%s
                """.formatted(service, service, target, addresses.isEmpty() ? " []" : eps.toString());
    }

    private DemoBackend backend(String name, String address) throws InterruptedException {
        DemoBackend b = DemoBackend.start(name, new InetSocketAddress(address, TARGET), 1);
        closeables.add(b);
        return b;
    }

    private Switchboard start(SwitchboardConfig config) throws Exception {
        sb = Switchboard.start(config.withAdmin(new InetSocketAddress("127.0.0.1", 0)).withWorkers(2));
        assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
        return sb;
    }

    private Switchboard start() throws Exception {
        return start(SwitchboardConfig.defaults(dir));
    }

    private static DatagramSocket socket(String source) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0));
        s.setSoTimeout(2000);
        return s;
    }

    /** Sends {@code payload} and returns the reply, or null on timeout. */
    private static DatagramPacket exchange(DatagramSocket s, String vip, int port, byte[] payload) throws IOException {
        s.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(vip, port)));
        byte[] buf = new byte[65_536];
        DatagramPacket reply = new DatagramPacket(buf, buf.length);
        try {
            s.receive(reply);
            return reply;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static String name(DatagramSocket s, String vip) throws IOException {
        DatagramPacket p = exchange(s, vip, PORT, "name".getBytes(StandardCharsets.US_ASCII));
        return p == null ? null : new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void aBusySenderFollowsItsEndpointThroughDeletionAbsenceAndRecreation() throws Exception {
        DemoBackend old = backend("old", "127.0.8.1");
        Manifests.write(dir, "svc.yaml", udpService("statsd", "127.0.6.30", PORT, TARGET, "", ""));
        Manifests.write(dir, "eps.yaml", udpSlice("statsd", TARGET, List.of("127.0.8.1")));
        start();
        List<long[]> replies = new CopyOnWriteArrayList<>();
        List<String> names = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        try (DatagramSocket s = socket("127.0.7.50")) {
            s.setSoTimeout(100);
            // One socket, one source port, a datagram every 10 ms: the StatsD client of seed 001.
            Thread sender = new Thread(() -> {
                byte[] msg = "name".getBytes(StandardCharsets.US_ASCII);
                while (running.get() && sent.get() < 2000) {
                    try {
                        s.send(new DatagramPacket(msg, msg.length, new InetSocketAddress("127.0.6.30", PORT)));
                        sent.incrementAndGet();
                        Thread.sleep(10);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            Thread receiver = new Thread(() -> {
                byte[] buf = new byte[512];
                while (running.get()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        s.receive(p);
                        names.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                        replies.add(new long[] {System.nanoTime(), names.size() - 1});
                    } catch (IOException e) {
                        // timeout: keep listening
                    }
                }
            });
            sender.start();
            receiver.start();
            Thread.sleep(1000);
            // The endpoint goes away: deleted from the slice, its process gone.
            Manifests.write(dir, "eps.yaml", udpSlice("statsd", TARGET, List.of()));
            old.close();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    sb.table().services().values().iterator().next().allBackends().isEmpty());
            Thread.sleep(1000);
            // It comes back at a new address.
            backend("new", "127.0.8.2");
            long written = System.nanoTime();
            Manifests.write(dir, "eps.yaml", udpSlice("statsd", TARGET, List.of("127.0.8.2")));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    !sb.table().services().values().iterator().next().allBackends().isEmpty());
            int sentAtApply = sent.get();
            Thread.sleep(1500);
            running.set(false);
            sender.join();
            receiver.join();
            int sentAfter = sent.get() - sentAtApply;
            long firstNew = -1;
            int newReplies = 0;
            for (long[] r : replies) {
                String n = names.get((int) r[1]);
                if (n.equals("new")) {
                    newReplies++;
                    if (firstNew < 0) {
                        firstNew = r[0];
                    }
                }
            }
            assertThat(names).contains("old");
            assertThat(firstNew).as("the sender reached the recreated endpoint").isPositive();
            System.out.printf("udp failover: first reply from the recreated endpoint %.0f ms after its manifest was"
                            + " written; %d of %d datagrams sent after the change was seen in effect were answered%n",
                    (firstNew - written) / 1e6, newReplies, sentAfter);
            assertThat(newReplies).as("no datagram lost once the new endpoint is in effect")
                    .isGreaterThanOrEqualTo(sentAfter - 2);
        }
    }

    @Test
    void repliesComeFromTheServiceAddressSoConnectedClientsWork() throws Exception {
        backend("a", "127.0.8.1");
        Manifests.write(dir, "svc.yaml", udpService("dns", "127.0.6.31", PORT, TARGET, "", ""),
                udpSlice("dns", TARGET, List.of("127.0.8.1")));
        start();
        try (DatagramSocket s = socket("127.0.7.51")) {
            DatagramPacket reply = exchange(s, "127.0.6.31", PORT, "name".getBytes(StandardCharsets.US_ASCII));
            assertThat(reply).isNotNull();
            assertThat(reply.getSocketAddress()).isEqualTo(new InetSocketAddress("127.0.6.31", PORT));
        }
        try (DatagramSocket s = socket("127.0.7.51")) {
            // A connected socket (as DNS resolvers use) only accepts replies from the address it sent to.
            s.connect(new InetSocketAddress("127.0.6.31", PORT));
            assertThat(name(s, "127.0.6.31")).isEqualTo("a");
        }
    }

    @Test
    void roundRobinSpreadsNewFlowsAndHashingSchedulersPinThem() throws Exception {
        backend("a", "127.0.8.1");
        backend("b", "127.0.8.2");
        backend("c", "127.0.8.3");
        List<String> three = List.of("127.0.8.1", "127.0.8.2", "127.0.8.3");
        Manifests.write(dir, "rr.yaml", udpService("rr", "127.0.6.32", PORT, TARGET, "", ""),
                udpSlice("rr", TARGET, three));
        Manifests.write(dir, "sh.yaml", udpService("sh", "127.0.6.33", PORT, TARGET, "",
                "switchboard.io/scheduler: sh"), udpSlice("sh", TARGET, three));
        Manifests.write(dir, "mh.yaml", udpService("mh", "127.0.6.34", PORT, TARGET, "",
                "switchboard.io/scheduler: mh, switchboard.io/scheduler-flags: mh-port"), udpSlice("mh", TARGET, three));
        start();
        Map<String, Integer> rr = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            try (DatagramSocket s = socket("127.0.7.52")) {
                rr.merge(name(s, "127.0.6.32"), 1, Integer::sum);
            }
        }
        assertThat(rr).containsOnly(Map.entry("a", 10), Map.entry("b", 10), Map.entry("c", 10));

        Set<String> shSeen = new HashSet<>();
        for (int c = 2; c <= 40; c++) {
            String first = null;
            for (int i = 0; i < 3; i++) {
                try (DatagramSocket s = socket("127.0.9." + c)) {
                    String got = name(s, "127.0.6.33");
                    first = first == null ? got : first;
                    assertThat(got).as("sh keeps a client address on one endpoint").isEqualTo(first);
                }
            }
            shSeen.add(first);
        }
        assertThat(shSeen).hasSize(3);

        Set<String> mhSeen = new HashSet<>();
        try (DatagramSocket s = socket("127.0.7.53")) {
            String first = name(s, "127.0.6.34");
            for (int i = 0; i < 5; i++) {
                assertThat(name(s, "127.0.6.34")).as("one flow stays on its endpoint").isEqualTo(first);
            }
        }
        for (int i = 0; i < 60; i++) {
            try (DatagramSocket s = socket("127.0.7.53")) {
                mhSeen.add(name(s, "127.0.6.34"));
            }
        }
        assertThat(mhSeen).as("mh with mh-port spreads one client's ports").hasSize(3);
    }

    @Test
    void clientIpAffinityPinsClientsOnDifferentAddresses() throws Exception {
        backend("a", "127.0.8.1");
        backend("b", "127.0.8.2");
        backend("c", "127.0.8.3");
        Manifests.write(dir, "svc.yaml", udpService("sticky", "127.0.6.35", PORT, TARGET,
                        "sessionAffinity: ClientIP", ""),
                udpSlice("sticky", TARGET, List.of("127.0.8.1", "127.0.8.2", "127.0.8.3")));
        start();
        Map<String, String> pinned = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int c = 2; c <= 7; c++) {
                String source = "127.0.7." + (60 + c);
                try (DatagramSocket s = socket(source)) {
                    String got = name(s, "127.0.6.35");
                    assertThat(pinned.computeIfAbsent(source, k -> got)).as(source).isEqualTo(got);
                }
            }
        }
        assertThat(new HashSet<>(pinned.values())).hasSize(3);
    }

    @Test
    void largeAndEmptyDatagramsArriveIntactBothWays() throws Exception {
        backend("a", "127.0.8.1");
        Manifests.write(dir, "svc.yaml", udpService("echo", "127.0.6.36", PORT, TARGET, "", ""),
                udpSlice("echo", TARGET, List.of("127.0.8.1")));
        start();
        try (DatagramSocket s = socket("127.0.7.54")) {
            s.setReceiveBufferSize(1 << 20);
            byte[] big = new byte[65_507];
            new Random(7).nextBytes(big);
            DatagramPacket reply = exchange(s, "127.0.6.36", PORT, big);
            assertThat(reply).isNotNull();
            assertThat(reply.getLength()).isEqualTo(big.length);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(reply.getData(), 0, reply.getLength());
            assertThat(sha.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(big));
            DatagramPacket empty = exchange(s, "127.0.6.36", PORT, new byte[0]);
            assertThat(empty).as("a zero-length datagram is relayed and its empty echo comes back").isNotNull();
            assertThat(empty.getLength()).isZero();
        }
    }

    @Test
    void anUnreachableEndpointBreaksNoOtherFlowAndItsClientsMoveOn() throws Exception {
        backend("live", "127.0.8.1");
        // 127.0.8.9 has nothing listening: it answers with ICMP port unreachable.
        Manifests.write(dir, "svc.yaml", udpService("icmp", "127.0.6.37", PORT, TARGET, "", ""),
                udpSlice("icmp", TARGET, List.of("127.0.8.1", "127.0.8.9")));
        start();
        try (DatagramSocket first = socket("127.0.7.55"); DatagramSocket second = socket("127.0.7.55")) {
            assertThat(name(first, "127.0.6.37")).isEqualTo("live");
            assertThat(name(second, "127.0.6.37")).as("round robin sent this flow to the dead endpoint").isNull();
            for (int i = 0; i < 5; i++) {
                assertThat(name(first, "127.0.6.37")).isEqualTo("live");
            }
            String retried = null;
            for (int i = 0; i < 5 && retried == null; i++) {
                retried = name(second, "127.0.6.37");
            }
            assertThat(retried).as("the unreachable endpoint's flow was rescheduled").isEqualTo("live");
        }
    }

    @Test
    void theFlowTableStaysWithinItsBoundUnderABurstOfSourcePorts() throws Exception {
        backend("a", "127.0.8.1");
        Manifests.write(dir, "svc.yaml", udpService("flood", "127.0.6.38", PORT, TARGET, "", ""),
                udpSlice("flood", TARGET, List.of("127.0.8.1")));
        start(SwitchboardConfig.defaults(dir).withMaxUdpFlows(64));
        long fdsBefore = openFiles();
        byte[] msg = "x".getBytes(StandardCharsets.US_ASCII);
        // All 600 sockets stay open until the end, so each is a distinct source port (a distinct flow).
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 600; i++) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.7.56", 0));
                sockets.add(s);
                s.send(new DatagramPacket(msg, msg.length, new InetSocketAddress("127.0.6.38", PORT)));
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin(sb, "/metrics").body())
                .contains("switchboard_service_flows_total{event=\"created\",port=\"udp\",protocol=\"UDP\","
                        + "service=\"test/flood\"} 600.0"));
        System.out.println(admin(sb, "/metrics").body().lines().filter(l -> l.contains("flood")).toList());
        assertThat(sb.dataPlane().flows(f -> true)).hasSizeLessThanOrEqualTo(64);
        assertThat(admin(sb, "/metrics").body()).containsPattern(
                "switchboard_service_flows_total\\{event=\"evicted\",port=\"udp\",protocol=\"UDP\","
                        + "service=\"test/flood\"} 5[3-9][0-9]\\.0");
            assertThat(openFiles() - fdsBefore - sockets.size()).as("file descriptors held for flows")
                    .isLessThanOrEqualTo(64 + 16);
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    private static long openFiles() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void conntrackListsAndFlushesFlows() throws Exception {
        backend("a", "127.0.8.1");
        Manifests.write(dir, "svc.yaml", udpService("ct", "127.0.6.39", PORT, TARGET, "", ""),
                udpSlice("ct", TARGET, List.of("127.0.8.1")));
        start();
        try (DatagramSocket s = socket("127.0.7.57")) {
            assertThat(name(s, "127.0.6.39")).isEqualTo("a");
            String admin = "127.0.0.1:" + sb.adminAddress().getPort();
            String listed = run("conntrack", "list", "--admin", admin, "--service", "test/ct");
            assertThat(listed).contains("udp test/ct src=127.0.7.57:" + s.getLocalPort()
                    + " dst=127.0.6.39:" + PORT + " endpoint=127.0.8.1:" + TARGET)
                    .contains("packets=1 bytes=4 reply_packets=1 reply_bytes=1 [ASSURED]");
            assertThat(run("conntrack", "flush", "--admin", admin, "--endpoint", "127.0.8.1"))
                    .contains("1 flow entries flushed");
            assertThat(sb.dataPlane().flows(f -> true)).isEmpty();
            assertThat(name(s, "127.0.6.39")).as("the next datagram starts a new flow").isEqualTo("a");
        }
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute(args)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Process dnsmasq(String address, String answer) throws IOException {
        Path pid = dir.resolve("dnsmasq-" + address + ".pid");
        Process p = new ProcessBuilder("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll",
                "--listen-address=" + address, "--bind-interfaces", "--port=" + TARGET,
                "--address=/example.test/" + answer, "--pid-file=" + pid, "--user=root", "--log-facility=-")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq-" + address + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private static String dig(String server) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dig", "@" + server, "-p", Integer.toString(PORT), "example.test", "+short",
                "+tries=1", "+time=1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(5, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void dnsmasqBehindAServiceAnswersDigAndKeepsAnsweringWhileEndpointsChange() throws Exception {
        Process first = dnsmasq("127.0.8.10", "10.1.2.3");
        Manifests.write(dir, "svc.yaml", udpService("dns", "127.0.6.40", PORT, TARGET, "", ""));
        Manifests.write(dir, "eps.yaml", udpSlice("dns", TARGET, List.of("127.0.8.10")));
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> dig("127.0.6.40").equals("10.1.2.3"));
        Process second = dnsmasq("127.0.8.11", "10.1.2.3");
        Manifests.write(dir, "eps.yaml", udpSlice("dns", TARGET, List.of("127.0.8.10", "127.0.8.11")));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                sb.table().services().values().iterator().next().allBackends().size() == 2);
        Manifests.write(dir, "eps.yaml", udpSlice("dns", TARGET, List.of("127.0.8.11")));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                sb.table().services().values().iterator().next().allBackends().size() == 1);
        first.destroy();
        first.waitFor(5, TimeUnit.SECONDS);
        int answered = 0;
        for (int i = 0; i < 10; i++) {
            if (dig("127.0.6.40").equals("10.1.2.3")) {
                answered++;
            }
        }
        assertThat(answered).as("queries answered after the endpoint change").isEqualTo(10);
        assertThat(second.isAlive()).isTrue();
    }
    @Test
    void aFloodOfUnrepliedFlowsEvictsItsOwnBeforeAClientsAssuredFlow() throws Exception {
        // An endpoint that answers "ping" and ignores everything else, as a server ignores junk.
        DatagramSocket endpoint = new DatagramSocket(new InetSocketAddress("127.0.8.7", TARGET));
        closeables.add(endpoint);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[512];
            while (!endpoint.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    endpoint.receive(p);
                    if (new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).equals("ping")) {
                        byte[] pong = "pong".getBytes(StandardCharsets.US_ASCII);
                        endpoint.send(new DatagramPacket(pong, pong.length, p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            }
        }, "ping-endpoint");
        t.setDaemon(true);
        t.start();
        Manifests.write(dir, "svc.yaml", udpService("early", "127.0.6.39", PORT, TARGET, "", ""),
                udpSlice("early", TARGET, List.of("127.0.8.7")));
        start(SwitchboardConfig.defaults(dir).withMaxUdpFlows(64).withWorkers(1));
        try (DatagramSocket client = socket("127.0.7.57")) {
            byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(ping, ping.length, new InetSocketAddress("127.0.6.39", PORT)));
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            client.receive(reply);
            String clientKey = "127.0.7.57:" + client.getLocalPort();
            byte[] junk = "junk".getBytes(StandardCharsets.US_ASCII);
            List<DatagramSocket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.7.58", 0));
                    flood.add(s);
                    s.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.6.39", PORT)));
                }
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin(sb, "/metrics").body())
                        .contains("switchboard_service_flows_total{event=\"created\",port=\"udp\",protocol=\"UDP\","
                                + "service=\"test/early\"} 301.0"));
                assertThat(sb.dataPlane().flows(f -> true)).hasSizeLessThanOrEqualTo(64)
                        .anySatisfy(f -> {
                            assertThat(f.client()).isEqualTo(clientKey);
                            assertThat(f.state()).isEqualTo("ASSURED");
                        });
            } finally {
                flood.forEach(DatagramSocket::close);
            }
        }
    }

}
