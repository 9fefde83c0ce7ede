package io.switchboard.dataplane;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.switchboard.affinity.AffinityTable;
import io.netty.channel.EventLoop;
import io.switchboard.dataplane.tcp.TcpFrontendHandler;
import io.switchboard.dataplane.http.ClientResetBudget;
import io.switchboard.dataplane.http.HttpContext;
import io.switchboard.dataplane.http.UpstreamPools;
import io.switchboard.dataplane.udp.FlowView;
import io.switchboard.dataplane.udp.UdpFlowTable;
import io.switchboard.dataplane.udp.UdpListenerHandler;
import io.switchboard.routing.VirtualAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.function.Predicate;
import io.switchboard.model.Protocol;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.RoutingUpdate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The traffic-carrying half of Switchboard: event loops, listeners and the routing state they read.
 * The sync loop hands it each {@link RoutingUpdate}; new listeners are bound before the new table
 * is published and obsolete ones closed after, and established connections are never touched.
 */
public final class DataPlane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);

    /**
     * Settings.
     *
     * @param workers            event-loop threads
     * @param wildcardThreshold  TCP addresses per port bound one by one before one wildcard socket serves them
     * @param maxAffinityEntries bound on ClientIP affinity entries
     * @param maxUdpFlows        bound on UDP flows (each holds a socket), shared out over the event loops
     * @param maxConnections     bound on open client connections over all TCP listeners (0: derived from
     *                           the open-file limit, see {@link ConnectionLimit#defaultFor})
     * @param transports         the Netty transports of TCP and of UDP (io_uring, epoll or NIO)
     * @param allocator          the buffers of every client connection, relayed endpoint connection, HTTP
     *                           endpoint connection, UDP listener and flow socket: Netty's default, or one
     *                           whose metrics count what is held, for tests that bound it
     */
    public record Settings(int workers, int wildcardThreshold, long maxAffinityEntries, int maxUdpFlows,
                           int maxConnections, Transports transports, ByteBufAllocator allocator) {
        /** The same on what {@code auto} picks. */
        public Settings(int workers, int wildcardThreshold, long maxAffinityEntries, int maxUdpFlows, int maxConnections) {
            this(workers, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, Transports.auto());
        }

        /** The same with Netty's default allocator. */
        public Settings(int workers, int wildcardThreshold, long maxAffinityEntries, int maxUdpFlows, int maxConnections,
                        Transports transports) {
            this(workers, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, transports,
                    ByteBufAllocator.DEFAULT);
        }

        public Settings {
            java.util.Objects.requireNonNull(transports, "transports");
            java.util.Objects.requireNonNull(allocator, "allocator");
            if (maxConnections < 0) {
                throw new IllegalArgumentException("maxConnections must not be negative");
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1");
            }
            if (maxUdpFlows < workers) {
                throw new IllegalArgumentException("maxUdpFlows must be at least the number of workers");
            }
        }
    }

    private final Transports transports;
    private final EventLoopGroup workers;
    /** The UDP listeners' and flows' loops: {@link #workers} unless UDP runs on a transport of its own. */
    private final EventLoopGroup datagramWorkers;
    private final RoutingState state;
    private final ListenerManager listeners;
    private final ConnectionLimit connectionLimit;
    private final ClientConnections clients = new ClientConnections();
    private final Map<EventLoop, UdpFlowTable> flowTables = new LinkedHashMap<>();
    private final Map<EventLoop, HttpContext> httpContexts = new LinkedHashMap<>();
    private final ClientResetBudget resets = ClientResetBudget.of(1000, java.time.Duration.ofSeconds(10));

    /** Starts the event loops; nothing listens until the first {@link #apply}. */
    public DataPlane(Settings settings) {
        this.transports = settings.transports();
        Transport transport = transports.stream();
        Transport datagrams = transports.datagram();
        LOG.atInfo().addKeyValue("transport", transport.label()).addKeyValue("udpTransport", datagrams.label())
                .addKeyValue("workers", settings.workers()).log("data plane starting");
        this.workers = transport.newGroup(settings.workers(), "switchboard-worker");
        // As many UDP loops as TCP ones; they only wake for UDP traffic.
        this.datagramWorkers = transports.split() ? datagrams.newGroup(settings.workers(), "switchboard-udp") : workers;
        this.state = new RoutingState(AffinityTable.create(settings.maxAffinityEntries()));
        int perLoop = settings.maxUdpFlows() / settings.workers();
        for (var executor : workers) {
            EventLoop loop = (EventLoop) executor;
            httpContexts.put(loop, new HttpContext(state, new UpstreamPools(loop, transport, settings.allocator()), resets));
        }
        for (var executor : datagramWorkers) {
            EventLoop loop = (EventLoop) executor;
            flowTables.put(loop, new UdpFlowTable(loop, state, datagrams, perLoop));
        }
        this.connectionLimit = new ConnectionLimit(settings.maxConnections() > 0 ? settings.maxConnections()
                : ConnectionLimit.defaultFor(settings.maxUdpFlows()));
        Map<EventLoop, HttpContext> http = Map.copyOf(httpContexts);
        Map<EventLoop, UdpFlowTable> tables = Map.copyOf(flowTables);
        this.listeners = new ListenerManager(Map.of(Protocol.TCP, workers, Protocol.UDP, datagramWorkers), transport,
                Map.of(Protocol.TCP, Binders.tcp(transport, workers, settings.allocator(),
                                () -> new TcpFrontendHandler(state, transport, http, connectionLimit::crowded), connectionLimit, clients::accepted),
                        Protocol.UDP, Binders.udp(datagrams, datagramWorkers, settings.allocator(),
                                key -> new UdpListenerHandler(new VirtualAddress(key.address(), key.port(),
                                        Protocol.UDP), tables))),
                settings.wildcardThreshold());
        connectionLimit.onAcceptingChange(listeners::setAccepting);
    }

    /** The HTTP/2 stream resets each client address may make (1,000 per 10 s), and how many were refused. */
    public ClientResetBudget resetBudget() {
        return resets;
    }

    /** The cap on open client connections, and how many are open. */
    public ConnectionLimit connectionLimit() {
        return connectionLimit;
    }

    /** Publishes one update, then binds and unbinds for it. Called by the sync loop only. */
    public void apply(RoutingUpdate update) {
        // Publish before binding: a listener bound first would reset, as unrouted, connections that
        // SO_REUSEPORT hands it while a starting instance (or a new address) is not yet in the table.
        state.publish(update.table());
        listeners.update(update.added(), update.removed());
        listeners.reconcile();
        forgetRetiredAffinity();
        // Flows are checked against the new table at their next datagram anyway; this also frees the
        // sockets of flows whose endpoint left, without waiting for traffic or the next sweep.
        flowTables.values().forEach(t -> t.loop().execute(t::sweep));
    }

    /** The UDP flows matching {@code filter}, gathered from every event loop. */
    public List<FlowView> flows(Predicate<FlowView> filter) {
        List<FlowView> out = new ArrayList<>();
        for (UdpFlowTable t : flowTables.values()) {
            out.addAll(onLoop(t, () -> t.snapshot(filter)));
        }
        return out;
    }

    /** Removes the UDP flows matching {@code filter} on every event loop; returns how many. */
    public int flushFlows(Predicate<FlowView> filter) {
        int n = 0;
        for (UdpFlowTable t : flowTables.values()) {
            n += onLoop(t, () -> t.flush(filter));
        }
        return n;
    }

    private static <T> T onLoop(UdpFlowTable t, java.util.concurrent.Callable<T> task) {
        try {
            return t.loop().submit(task).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking an event loop for its flows", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("event loop did not answer for its flows", e);
        }
    }

    /** Retries failed bindings without a table change. */
    public void retryListeners() {
        listeners.reconcile();
    }

    private void forgetRetiredAffinity() {
        if (state.affinity().size() > 0) {
            state.affinity().forgetIf(k -> false, b -> b.retired());
        }
    }

    /** The table in effect. */
    public RoutingTable table() {
        return state.table();
    }

    /** Routing state shared by the listeners. */
    public RoutingState state() {
        return state;
    }

    /** Listener status. */
    public List<ListenerManager.ListenerStatus> listeners() {
        return listeners.status();
    }

    /** The event loops of TCP (listeners, connections, health checks). */
    public EventLoopGroup workers() {
        return workers;
    }

    /** The transport TCP runs on. */
    public Transport transport() {
        return transports.stream();
    }

    /** The transport UDP runs on. */
    public Transport datagramTransport() {
        return transports.datagram();
    }

    /**
     * Drains, for a restart that drops nothing: TCP listeners close at once (a successor bound with
     * SO_REUSEPORT takes every new connection), every client connection is told ({@link DrainEvent}),
     * and this waits until no client connection and no UDP flow is left, or {@code timeout} passed.
     * UDP listeners keep serving meanwhile, since the replies of open flows must leave from them.
     * Routing is frozen from here on: the caller has stopped the sync loop.
     *
     * @return how many client connections and UDP flows were still open when it returned
     */
    public Drained drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        state.startDraining();
        listeners.closeTcp();
        clients.drain();
        while (true) {
            int connections = clients.size();
            int flows = flowCount();
            if ((connections == 0 && flows == 0) || System.nanoTime() - deadline >= 0) {
                return new Drained(connections, flows);
            }
            Thread.sleep(50);
        }
    }

    /**
     * What a drain left open.
     *
     * @param connections client TCP connections still open
     * @param flows       UDP flows still open (-1: not counted, the drain was interrupted)
     */
    public record Drained(int connections, int flows) {
        /** True when nothing was left. */
        public boolean complete() {
            return connections == 0 && flows == 0;
        }
    }

    private int flowCount() throws InterruptedException {
        int n = 0;
        for (UdpFlowTable t : flowTables.values()) {
            try {
                n += t.loop().submit(t::size).get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("event loop did not say how many flows it holds", e);
            }
        }
        return n;
    }

    /** Client TCP connections open now. */
    public int openConnections() {
        return clients.size();
    }

    /** Closes listeners, then lets open connections end with the event loops. */
    @Override
    public void close() {
        listeners.close();
        clients.closeAll();
        // One task per loop, queued after the closed connections' inactive events, so those run.
        List<ChannelFuture> closing = new ArrayList<>();
        for (UdpFlowTable t : flowTables.values()) {
            closing.addAll(closeOn(t.loop(), t::close));
        }
        for (Map.Entry<EventLoop, HttpContext> e : httpContexts.entrySet()) {
            closing.addAll(closeOn(e.getKey(), e.getValue().upstreams()::close));
        }
        // Until those sockets are closed, bounded: on io_uring a close finishes only once the kernel
        // has confirmed the cancelled reads, and a socket whose close finished after its loop stopped
        // lost its inactive event, with a warning logged for each one.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        // Bounded: a stop must never hang the process, whatever a connection is doing.
        io.netty.util.concurrent.Future<?> tcp = workers.shutdownGracefully(0, 2000, TimeUnit.MILLISECONDS);
        io.netty.util.concurrent.Future<?> udp = datagramWorkers == workers ? tcp
                : datagramWorkers.shutdownGracefully(0, 2000, TimeUnit.MILLISECONDS);
        if (!tcp.awaitUninterruptibly(5, TimeUnit.SECONDS) | !udp.awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            LOG.atWarn().log("event loops did not stop within 5 s; exiting anyway");
        }
    }

    /** Runs {@code close} on {@code loop} unless it is stopping already; returns what it closed. */
    private static List<ChannelFuture> closeOn(EventLoop loop, java.util.function.Supplier<List<ChannelFuture>> close) {
        if (loop.isShuttingDown()) {
            return List.of();
        }
        // Uninterruptibly: a stop that was asked twice must still free the sockets.
        io.netty.util.concurrent.Future<List<ChannelFuture>> closed = loop.submit(close::get);
        return closed.awaitUninterruptibly(5, TimeUnit.SECONDS) && closed.isSuccess() ? closed.getNow() : List.of();
    }
}
