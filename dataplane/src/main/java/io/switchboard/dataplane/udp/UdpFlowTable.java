package io.switchboard.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.dataplane.RoutingState;
import io.switchboard.dataplane.Transport;
import io.switchboard.model.HostPort;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.routing.VirtualService;
import io.switchboard.scheduler.PickContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The UDP flows of one event loop, in least-recently-used order. A client's first datagram to a
 * Service address schedules an endpoint (scheduler and ClientIP affinity as for TCP) and opens a
 * connected socket to it; later datagrams of the flow follow it, and the endpoint's replies go back
 * through the listener bound to the Service address, so they come from the address and port the
 * client used.
 *
 * <p>Flows are reconciled, not patched: whenever the routing table changes, a flow is checked at its
 * next datagram (and by the sweep that runs every second and after each sync) against the table in
 * effect, and one whose endpoint left its pool or became unavailable is removed, so the next datagram
 * is scheduled afresh. A Service without usable endpoints drops datagrams (counted) and creates no
 * flow, so the moment endpoints return the next datagram reaches one. Flows time out like Linux
 * conntrack entries (30 s unreplied, 120 s once answered, per Service). The table is bounded: past its
 * maximum the least recently used flow is evicted, so a flood of source ports exhausts neither memory
 * nor file descriptors. Everything here runs on the table's event loop.
 */
public final class UdpFlowTable {

    private final EventLoop loop;
    private final RoutingState state;
    /** Opens the socket of a new flow to an endpoint of the given address's family (not yet registered). */
    private final Function<InetAddress, ? extends Channel> upstreams;
    private final LongSupplier nanoTime;
    private final int maxFlows;
    private final LinkedHashMap<FlowKey, UdpFlow> flows = new LinkedHashMap<>(64, 0.75f, true);
    private final List<Channel> upstreamsToFlush = new ArrayList<>();
    private final List<Channel> listenersToFlush = new ArrayList<>();
    private boolean listenerFlushScheduled;
    private final Runnable flushListenersTask = this::flushListeners;
    private final ScheduledFuture<?> sweeper;

    /**
     * A table for {@code loop}.
     *
     * @param maxFlows the most flows this loop keeps (each holds one socket)
     */
    public UdpFlowTable(EventLoop loop, RoutingState state, Transport transport, int maxFlows) {
        this(loop, state, Objects.requireNonNull(transport, "transport")::newDatagramChannel, maxFlows,
                System::nanoTime);
    }

    /**
     * A table whose flow sockets come from {@code upstreams} and whose clock is {@code nanoTime}, so
     * that tests can use embedded channels and step time instead of opening sockets and sleeping.
     */
    UdpFlowTable(EventLoop loop, RoutingState state, Function<InetAddress, ? extends Channel> upstreams,
                 int maxFlows, LongSupplier nanoTime) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.state = Objects.requireNonNull(state, "state");
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        if (maxFlows < 1) {
            throw new IllegalArgumentException("maxFlows must be at least 1");
        }
        this.maxFlows = maxFlows;
        this.sweeper = loop.scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /** The event loop this table lives on. */
    public EventLoop loop() {
        return loop;
    }

    /** A datagram from a client to {@code service}, received on {@code listener}. */
    void fromClient(Channel listener, VirtualAddress service, InetSocketAddress client, ByteBuf content) {
        long now = nanoTime.getAsLong();
        FlowKey key = new FlowKey(client, service);
        UdpFlow flow = flows.get(key);
        if (flow != null && !valid(flow, state.table())) {
            remove(flow);
            flow.stats.flowReconciled();
            flow = null;
        }
        if (flow == null) {
            flow = open(listener, key, now);
            if (flow == null) {
                return;
            }
        }
        flow.lastSeen = now;
        int n = content.readableBytes();
        Channel upstream = flow.upstream;
        if (flow.pending != null) {
            if (flow.pending.size() >= PENDING_LIMIT) {
                flow.stats.datagramDropped();
                return;
            }
            flow.pending.add(n == 0 ? Unpooled.EMPTY_BUFFER : copy(listener, content));
        } else if (n == 0) {
            if (!DatagramSender.sendEmpty(upstream, null)) {
                flow.stats.datagramDropped();
                return;
            }
        } else if (!upstream.isWritable()) {
            flow.stats.datagramDropped();
            return;
        } else {
            upstream.write(copy(listener, content), upstream.voidPromise());
            if (upstreamsToFlush.isEmpty() || upstreamsToFlush.get(upstreamsToFlush.size() - 1) != upstream) {
                upstreamsToFlush.add(upstream);
            }
        }
        flow.packetsOriginal++;
        flow.bytesOriginal += n;
        flow.backend.datagramToEndpoint(n);
        flow.stats.datagramToEndpoint(n);
    }

    /** A datagram from the endpoint of {@code flow}. */
    void fromEndpoint(UdpFlow flow, ByteBuf content) {
        if (flow.removed) {
            return;
        }
        flow.lastSeen = nanoTime.getAsLong();
        flow.seenReply = true;
        int n = content.readableBytes();
        Channel listener = flow.listener;
        if (n == 0) {
            if (!DatagramSender.sendEmpty(listener, flow.key.client())) {
                flow.stats.datagramDropped();
                return;
            }
        } else if (!listener.isWritable()) {
            flow.stats.datagramDropped();
            return;
        } else {
            listener.write(new DatagramPacket(copy(listener, content), flow.key.client()), listener.voidPromise());
            if (!listenersToFlush.contains(listener)) {
                listenersToFlush.add(listener);
            }
            if (!listenerFlushScheduled) {
                // Replies to many clients arrive on many flow sockets in one pass of the event loop; flushing
                // the listener once after the pass sends them together (sendmmsg) instead of one call each.
                listenerFlushScheduled = true;
                loop.execute(flushListenersTask);
            }
        }
        flow.packetsReply++;
        flow.bytesReply += n;
        flow.backend.datagramFromEndpoint(n);
        flow.stats.datagramFromEndpoint(n);
    }

    /** Flushes the endpoint sockets written since the last call (after a batch of client reads). */
    void flushUpstreams() {
        for (Channel c : upstreamsToFlush) {
            c.flush();
        }
        upstreamsToFlush.clear();
    }

    /** Flushes the listener sockets written since the last call, once per event-loop pass. */
    void flushListeners() {
        listenerFlushScheduled = false;
        for (Channel c : listenersToFlush) {
            c.flush();
        }
        listenersToFlush.clear();
    }

    /**
     * The endpoint of {@code flow} answered with ICMP port unreachable: it is held down like a refused
     * TCP connect and the flow removed, so the client's next datagram goes elsewhere. Other flows are
     * untouched: each has its own socket.
     */
    void unreachable(UdpFlow flow) {
        if (flow.removed) {
            return;
        }
        VirtualService vs = state.table().lookup(flow.key.service());
        flow.backend.connectFailed(vs != null ? vs.pool().options().downBackoff().toNanos()
                : TimeUnit.SECONDS.toNanos(1));
        flow.stats.connectFailed();
        remove(flow);
        flow.stats.flowReconciled();
    }

    /** Copies into a buffer of the datagram's size, so a large batch-read buffer is freed at once. */
    private static ByteBuf copy(Channel channel, ByteBuf content) {
        int n = content.readableBytes();
        ByteBuf out = channel.alloc().directBuffer(n, n);
        out.writeBytes(content, content.readerIndex(), n);
        return out;
    }

    private UdpFlow open(Channel listener, FlowKey key, long now) {
        RoutingTable table = state.table();
        VirtualService vs = table.lookup(key.service());
        if (vs == null) {
            state.stats().unrouted();
            return null;
        }
        BackendPool pool = vs.pool();
        if (!vs.admits(key.client().getAddress())) {
            pool.stats().sourceDenied();
            return null;
        }
        Backend backend = pool.choose(PickContext.of(key.client().getAddress(), key.client().getPort(),
                key.service().address(), key.service().port()), state.affinity());
        if (backend == null) {
            pool.stats().datagramDropped();
            return null;
        }
        while (flows.size() >= maxFlows) {
            UdpFlow victim = evictionVictim();
            remove(victim);
            victim.stats.flowEvicted();
        }
        UdpFlow flow = new UdpFlow(key, vs.service().id().toString(), backend, pool.stats(), listener,
                pool.options().udpTimeout().toNanos(), pool.options().udpStreamTimeout().toNanos(), now,
                table.version());
        Channel upstream = upstreams.apply(backend.address());
        UdpChannels.configure(upstream);
        upstream.config().setAllocator(listener.alloc());
        upstream.pipeline().addLast(new UdpUpstreamHandler(this, flow));
        loop.register(upstream);
        // Connecting makes the kernel filter replies to this endpoint only (and report it unreachable).
        flow.upstream = upstream;
        ChannelFuture connect = upstream.connect(backend.socketAddress());
        if (!connect.isDone()) {
            flow.pending = new java.util.ArrayDeque<>(4);
            connect.addListener(f -> connected(flow, f.isSuccess()));
        }
        flows.put(key, flow);
        backend.connectionOpened();
        pool.stats().flowCreated();
        return flow;
    }

    /** Datagrams a flow holds while its upstream socket connects; more are dropped. */
    static final int PENDING_LIMIT = 64;

    /** Sends what waited for the upstream connect, or drops it if the connect failed or the flow is gone. */
    private void connected(UdpFlow flow, boolean success) {
        java.util.ArrayDeque<ByteBuf> held = flow.pending;
        flow.pending = null;
        boolean send = success && !flow.removed;
        for (ByteBuf datagram : held) {
            if (!send) {
                datagram.release();
                flow.stats.datagramDropped();
            } else if (!datagram.isReadable()) {
                if (!DatagramSender.sendEmpty(flow.upstream, null)) {
                    flow.stats.datagramDropped();
                }
            } else {
                flow.upstream.write(datagram, flow.upstream.voidPromise());
            }
        }
        if (send) {
            flow.upstream.flush();
        }
    }

    /** Flows scanned, least recently used first, for one that never saw a reply. */
    static final int EARLY_DROP_SCAN = 128;

    /**
     * The flow to evict at the bound: the least recently used of the first {@value #EARLY_DROP_SCAN}
     * that never saw a reply, else the least recently used. As Linux conntrack's early drop prefers
     * unassured entries, a flood of one-way flows (spoofed or scanning sources) evicts its own
     * flows before a client's established ones.
     */
    private UdpFlow evictionVictim() {
        java.util.Iterator<UdpFlow> it = flows.values().iterator();
        UdpFlow eldest = it.next();
        if (!eldest.seenReply) {
            return eldest;
        }
        for (int i = 1; i < EARLY_DROP_SCAN && it.hasNext(); i++) {
            UdpFlow f = it.next();
            if (!f.seenReply) {
                return f;
            }
        }
        return eldest;
    }

    /**
     * True while the flow's endpoint is still one its Service would schedule: a member of the pool in
     * the current table and available (unless nothing in the pool is, when keeping it beats dropping).
     */
    private boolean valid(UdpFlow flow, RoutingTable table) {
        if (flow.tableVersion != table.version()) {
            VirtualService vs = table.lookup(flow.key.service());
            if (vs == null || !vs.pool().contains(flow.backend) || !vs.admits(flow.key.client().getAddress())) {
                return false;
            }
            flow.tableVersion = table.version();
        }
        if (flow.backend.isAvailable()) {
            return true;
        }
        VirtualService vs = table.lookup(flow.key.service());
        if (vs != null) {
            for (Backend b : vs.pool().backends()) {
                if (b != flow.backend && b.weight() > 0 && b.isAvailable()) {
                    return false;
                }
            }
        }
        return true;
    }

    private void remove(UdpFlow flow) {
        if (flow.removed) {
            return;
        }
        flow.removed = true;
        flows.remove(flow.key);
        flow.upstream.close();
        if (flow.pending != null) {
            flow.pending.forEach(ByteBuf::release);
            flow.pending.clear();
        }
        flow.backend.connectionClosed(false);
    }

    /** Expires idle flows and removes flows whose endpoint is no longer usable. */
    public void sweep() {
        long now = nanoTime.getAsLong();
        RoutingTable table = state.table();
        for (Iterator<UdpFlow> it = new ArrayList<>(flows.values()).iterator(); it.hasNext(); ) {
            UdpFlow flow = it.next();
            if (now - flow.expiresAt() >= 0) {
                remove(flow);
                flow.stats.flowExpired();
            } else if (!valid(flow, table)) {
                remove(flow);
                flow.stats.flowReconciled();
            }
        }
    }

    /** The flows matching {@code filter}, for the admin view. */
    public List<FlowView> snapshot(Predicate<FlowView> filter) {
        long now = nanoTime.getAsLong();
        List<FlowView> out = new ArrayList<>();
        for (UdpFlow f : flows.values()) {
            FlowView v = view(f, now);
            if (filter.test(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Removes the flows matching {@code filter}; returns how many. */
    public int flush(Predicate<FlowView> filter) {
        long now = nanoTime.getAsLong();
        int n = 0;
        for (UdpFlow f : new ArrayList<>(flows.values())) {
            if (filter.test(view(f, now))) {
                remove(f);
                f.stats.flowFlushed();
                n++;
            }
        }
        return n;
    }

    /** How many flows this loop holds. */
    public int size() {
        return flows.size();
    }

    private static FlowView view(UdpFlow f, long now) {
        return new FlowView(f.service, HostPort.of(f.key.client()),
                HostPort.of(f.key.service().address(), f.key.service().port()),
                HostPort.of(f.backend.socketAddress()), (now - f.created) / 1e9, Math.max(0, f.expiresAt() - now) / 1e9,
                f.packetsOriginal, f.bytesOriginal, f.packetsReply, f.bytesReply, f.seenReply ? "ASSURED" : "UNREPLIED");
    }

    /** Closes every flow and stops the sweep; returns the flows' sockets' close futures. */
    public List<ChannelFuture> close() {
        sweeper.cancel(false);
        List<ChannelFuture> closing = new ArrayList<>(flows.size());
        for (UdpFlow f : new ArrayList<>(flows.values())) {
            closing.add(f.upstream.closeFuture());
            remove(f);
        }
        return closing;
    }
}
