package io.switchboard.dataplane.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.switchboard.affinity.AffinityTable;
import io.switchboard.dataplane.RoutingState;
import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointConditions;
import io.switchboard.model.EndpointPort;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.HostPort;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServiceOptions;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServiceType;
import io.switchboard.model.SessionAffinity;
import io.switchboard.model.TargetPort;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.routing.Backend;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.routing.ServicePortStats;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.scheduler.SchedulerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The UDP flow table without sockets: the listener and every flow socket are embedded channels, and
 * time is a counter the tests step, so expiry is exact and nothing sleeps.
 */
class UdpFlowTableTest {

    private static final ServiceId DNS = new ServiceId("test", "dns");
    private static final int PORT = 53;
    private static final int TARGET = 5353;
    private static final VirtualAddress VIP = new VirtualAddress(ip("10.96.0.10"), PORT, Protocol.UDP);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("node",
            List.of(), SchedulerConfig.DEFAULT, now::get));
    private final RoutingState state = new RoutingState(AffinityTable.create(1_000));
    private final EmbeddedChannel listener = new EmbeddedChannel();
    /** Every flow socket the table opened, in order. */
    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private UdpFlowTable table;

    @AfterEach
    void tearDown() {
        if (table != null) {
            table.close();
        }
        for (EmbeddedChannel c : upstreams) {
            c.finishAndReleaseAll();
        }
        listener.finishAndReleaseAll();
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static InetSocketAddress client(int port) {
        return new InetSocketAddress(ip("192.0.2.10"), port);
    }

    private UdpFlowTable table(int maxFlows) {
        table = new UdpFlowTable(listener.eventLoop(), state, address -> {
            // Unregistered, as a transport's new channel is: the table registers it on its loop.
            EmbeddedChannel c = new EmbeddedChannel(false, false);
            upstreams.add(c);
            return c;
        }, maxFlows, now::get);
        return table;
    }

    /** Publishes a table where the DNS Service has {@code endpoints} (IPs, port {@value #TARGET}). */
    private void endpoints(String... endpoints) {
        Service svc = new Service(DNS, ServiceType.CLUSTER_IP, List.of(VIP.address()), List.of(), List.of(),
                List.of(new ServicePort("dns", Protocol.UDP, PORT, TargetPort.of(TARGET), 0, "")),
                SessionAffinity.NONE, TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER, ServiceOptions.DEFAULT);
        List<Endpoint> eps = new ArrayList<>();
        for (String e : endpoints) {
            eps.add(new Endpoint(List.of(ip(e)), EndpointConditions.READY, null, null, null, Set.of(), Set.of()));
        }
        Map<ServiceId, List<EndpointSlice>> slices = new HashMap<>();
        slices.put(DNS, List.of(new EndpointSlice("dns-1", DNS, List.of(new EndpointPort("dns", Protocol.UDP,
                TARGET)), eps, false)));
        state.publish(builder.apply(Set.of(DNS), new ClusterSnapshot(Map.of(DNS, svc), slices)).table());
    }

    /** A datagram from {@code client}, as the listener hands it over after a batch read. */
    private void send(InetSocketAddress client, String payload) {
        ByteBuf content = Unpooled.copiedBuffer(payload, StandardCharsets.US_ASCII);
        try {
            table.fromClient(listener, VIP, client, content);
            table.flushUpstreams();
        } finally {
            content.release();
        }
    }

    /** A reply from the endpoint on the flow socket {@code upstream}. */
    private static void reply(EmbeddedChannel upstream, String payload) {
        upstream.writeInbound(Unpooled.copiedBuffer(payload, StandardCharsets.US_ASCII));
    }

    private static String read(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    private FlowView flow(InetSocketAddress client) {
        List<FlowView> views = table.snapshot(f -> f.client().equals(HostPort.of(client)));
        assertThat(views).as("flows of %s", client).hasSizeLessThanOrEqualTo(1);
        return views.isEmpty() ? null : views.get(0);
    }

    private ServicePortStats stats() {
        return state.table().services().get(DNS).pools().get(0).stats();
    }

    private Backend backend(String ip) {
        return state.table().services().get(DNS).pools().get(0).backends().stream()
                .filter(b -> b.address().getHostAddress().equals(ip)).findFirst().orElseThrow();
    }

    private void advance(long seconds) {
        now.addAndGet(seconds * SECOND);
    }

    @Test
    void aClientsFirstDatagramOpensAFlowAndItsLaterDatagramsFollowIt() {
        endpoints("10.0.0.1", "10.0.0.2");
        table(16);
        send(client(40000), "a");
        send(client(40000), "bb");
        send(client(40000), "ccc");

        assertThat(table.size()).isEqualTo(1);
        assertThat(upstreams).hasSize(1);
        EmbeddedChannel upstream = upstreams.get(0);
        assertThat(read(upstream.readOutbound())).isEqualTo("a");
        assertThat(read(upstream.readOutbound())).isEqualTo("bb");
        assertThat(read(upstream.readOutbound())).isEqualTo("ccc");
        FlowView f = flow(client(40000));
        assertThat(f.service()).isEqualTo("test/dns");
        assertThat(f.serviceAddress()).isEqualTo("10.96.0.10:53");
        assertThat(f.packetsOriginal()).isEqualTo(3);
        assertThat(f.bytesOriginal()).isEqualTo(6);
        assertThat(f.state()).isEqualTo("UNREPLIED");
        assertThat(stats().flowsCreated()).isEqualTo(1);
        assertThat(stats().datagramsToEndpoints()).isEqualTo(3);
        assertThat(backend(f.endpoint().substring(0, f.endpoint().indexOf(':'))).activeConnections()).isEqualTo(1);
    }

    @Test
    void anotherSourcePortIsAnotherFlowScheduledAfresh() {
        endpoints("10.0.0.1", "10.0.0.2");
        table(16);
        send(client(40000), "a");
        send(client(40001), "a");

        assertThat(table.size()).isEqualTo(2);
        assertThat(upstreams).hasSize(2);
        // Round robin: the second flow goes to the other endpoint.
        assertThat(flow(client(40000)).endpoint()).isNotEqualTo(flow(client(40001)).endpoint());
        assertThat(Set.of(flow(client(40000)).endpoint(), flow(client(40001)).endpoint()))
                .containsExactlyInAnyOrder("10.0.0.1:5353", "10.0.0.2:5353");
    }

    @Test
    void aReplyGoesBackToTheClientThroughTheListenerAndAssuresTheFlow() {
        endpoints("10.0.0.1");
        table(16);
        send(client(40000), "query");
        reply(upstreams.get(0), "answer");
        // The listener is flushed by a task once per loop pass; writeInbound has run it already.
        listener.runPendingTasks();

        DatagramPacket out = listener.readOutbound();
        assertThat(out.recipient()).isEqualTo(client(40000));
        assertThat(read(out.content())).isEqualTo("answer");
        FlowView f = flow(client(40000));
        assertThat(f.state()).isEqualTo("ASSURED");
        assertThat(f.packetsReply()).isEqualTo(1);
        assertThat(f.bytesReply()).isEqualTo(6);
        assertThat(stats().datagramsFromEndpoints()).isEqualTo(1);
    }

    @Test
    void anUnrepliedFlowExpiresAfterTheUdpTimeoutAndClosesItsSocket() {
        endpoints("10.0.0.1");
        table(16);
        send(client(40000), "q");
        EmbeddedChannel upstream = upstreams.get(0);

        advance(29);
        table.sweep();
        assertThat(table.size()).isEqualTo(1);
        assertThat(flow(client(40000)).expiresInSeconds()).isEqualTo(1.0);

        advance(1);
        table.sweep();
        assertThat(table.size()).isZero();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(stats().flowsExpired()).isEqualTo(1);
        assertThat(backend("10.0.0.1").activeConnections()).isZero();
    }

    @Test
    void anAssuredFlowLivesForTheStreamTimeout() {
        endpoints("10.0.0.1");
        table(16);
        send(client(40000), "q");
        reply(upstreams.get(0), "a");

        advance(119);
        table.sweep();
        assertThat(table.size()).as("past the unreplied timeout, within the stream timeout").isEqualTo(1);

        advance(1);
        table.sweep();
        assertThat(table.size()).isZero();
        assertThat(stats().flowsExpired()).isEqualTo(1);
    }

    @Test
    void trafficFromTheClientPostponesExpiry() {
        endpoints("10.0.0.1");
        table(16);
        send(client(40000), "q");
        advance(20);
        send(client(40000), "q");
        advance(20);
        table.sweep();

        assertThat(table.size()).isEqualTo(1);
        assertThat(upstreams).as("the same flow, not a new one").hasSize(1);
        assertThat(flow(client(40000)).ageSeconds()).isEqualTo(40.0);
        assertThat(flow(client(40000)).expiresInSeconds()).isEqualTo(10.0);
    }

    @Test
    void theTableNeverHoldsMoreThanItsBoundAndEvictsTheRest() {
        endpoints("10.0.0.1", "10.0.0.2");
        table(10);
        for (int i = 0; i < 100; i++) {
            send(client(40000 + i), "q");
            assertThat(table.size()).isLessThanOrEqualTo(10);
        }

        assertThat(table.size()).isEqualTo(10);
        assertThat(stats().flowsCreated()).isEqualTo(100);
        assertThat(stats().flowsEvicted()).isEqualTo(90);
        assertThat(upstreams.stream().filter(EmbeddedChannel::isOpen)).as("one open socket per flow").hasSize(10);
        // All unreplied: the least recently used go first, so the last ten clients remain.
        for (int i = 90; i < 100; i++) {
            assertThat(flow(client(40000 + i))).isNotNull();
        }
        assertThat(backend("10.0.0.1").activeConnections() + backend("10.0.0.2").activeConnections()).isEqualTo(10);
    }

    @Test
    void atTheBoundAFlowThatNeverSawAReplyIsEvictedBeforeOlderAssuredOnes() {
        endpoints("10.0.0.1");
        table(3);
        send(client(1), "q");
        reply(upstreams.get(0), "a");
        send(client(2), "q");
        send(client(3), "q");
        reply(upstreams.get(2), "a");

        send(client(4), "q");

        assertThat(flow(client(1))).as("eldest, but assured").isNotNull();
        assertThat(flow(client(2))).as("unreplied").isNull();
        assertThat(flow(client(3))).isNotNull();
        assertThat(flow(client(4))).isNotNull();
        assertThat(upstreams.get(1).isOpen()).isFalse();
        assertThat(stats().flowsEvicted()).isEqualTo(1);
    }

    @Test
    void whenEveryFlowIsAssuredTheLeastRecentlyUsedIsEvicted() {
        endpoints("10.0.0.1");
        table(3);
        for (int i = 1; i <= 3; i++) {
            send(client(i), "q");
            reply(upstreams.get(i - 1), "a");
        }
        // Client 1 is the oldest flow but has just been used again: client 2 is now the least recent.
        send(client(1), "q");

        send(client(4), "q");

        assertThat(flow(client(1))).isNotNull();
        assertThat(flow(client(2))).isNull();
        assertThat(flow(client(3))).isNotNull();
        assertThat(flow(client(4))).isNotNull();
    }

    @Test
    void flushRemovesExactlyTheFlowsToOneEndpoint() {
        endpoints("10.0.0.1", "10.0.0.2");
        table(16);
        for (int i = 0; i < 4; i++) {
            send(client(40000 + i), "q");
        }

        int flushed = table.flush(f -> f.endpoint().equals("10.0.0.1:5353"));

        assertThat(flushed).isEqualTo(2);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.snapshot(f -> true)).extracting(FlowView::endpoint).containsOnly("10.0.0.2:5353");
        assertThat(stats().flowsFlushed()).isEqualTo(2);
        assertThat(backend("10.0.0.1").activeConnections()).isZero();
        assertThat(backend("10.0.0.2").activeConnections()).isEqualTo(2);
    }

    @Test
    void aFlowWhoseEndpointLeftIsReconciledAwayAndTheNextDatagramGoesToAnEndpointThatStayed() {
        endpoints("10.0.0.1", "10.0.0.2");
        table(16);
        send(client(40000), "q");
        send(client(40001), "q");
        String gone = flow(client(40000)).endpoint();
        String stays = flow(client(40001)).endpoint();

        endpoints(stays.substring(0, stays.indexOf(':')));
        table.sweep();

        assertThat(flow(client(40000))).isNull();
        assertThat(flow(client(40001)).endpoint()).isEqualTo(stays);
        assertThat(upstreams.get(0).isOpen()).isFalse();
        assertThat(stats().flowsReconciled()).isEqualTo(1);

        send(client(40000), "q");
        assertThat(flow(client(40000)).endpoint()).isEqualTo(stays).isNotEqualTo(gone);
    }

    @Test
    void aFlowIsAlsoReconciledAtItsNextDatagramWithoutWaitingForTheSweep() {
        endpoints("10.0.0.1");
        table(16);
        send(client(40000), "q");

        endpoints("10.0.0.2");
        send(client(40000), "q");

        assertThat(table.size()).isEqualTo(1);
        assertThat(upstreams).hasSize(2);
        assertThat(upstreams.get(0).isOpen()).isFalse();
        assertThat(flow(client(40000)).endpoint()).isEqualTo("10.0.0.2:5353");
        assertThat(flow(client(40000)).packetsOriginal()).as("counted on the new flow").isEqualTo(1);
    }

    @Test
    void aServiceWithoutEndpointsDropsDatagramsAndCreatesNoFlow() {
        endpoints();
        table(16);
        send(client(40000), "q");

        assertThat(table.size()).isZero();
        assertThat(upstreams).isEmpty();
        assertThat(stats().datagramsDropped()).isEqualTo(1);
    }

    @Test
    void aDatagramToAnAddressNoServiceServesIsCountedAsUnrouted() {
        table(16);
        send(client(40000), "q");

        assertThat(table.size()).isZero();
        assertThat(upstreams).isEmpty();
        assertThat(state.stats().unroutedCount()).isEqualTo(1);
    }

    @Test
    void portUnreachableFromTheEndpointRemovesTheFlowAndHoldsTheEndpointDown() {
        endpoints("10.0.0.1", "10.0.0.2");
        table(16);
        send(client(40000), "q");
        String endpoint = flow(client(40000)).endpoint();

        upstreams.get(0).pipeline().fireExceptionCaught(new PortUnreachableException("ICMP port unreachable"));

        assertThat(table.size()).isZero();
        assertThat(upstreams.get(0).isOpen()).isFalse();
        assertThat(backend(endpoint.substring(0, endpoint.indexOf(':'))).passivelyDown()).isTrue();
        send(client(40000), "q");
        assertThat(flow(client(40000)).endpoint()).as("the next datagram goes elsewhere").isNotEqualTo(endpoint);
    }
}
