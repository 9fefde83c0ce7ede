package io.switchboard.dataplane;

import io.netty.channel.EventLoopGroup;
import io.switchboard.affinity.AffinityTable;
import io.switchboard.dataplane.tcp.TcpFrontendHandler;
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
     * @param wildcardThreshold  addresses per port bound one by one before one wildcard socket serves them
     * @param maxAffinityEntries bound on ClientIP affinity entries
     */
    public record Settings(int workers, int wildcardThreshold, long maxAffinityEntries) {
        public Settings {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1");
            }
        }
    }

    private final Transport transport;
    private final EventLoopGroup workers;
    private final RoutingState state;
    private final ListenerManager listeners;

    /** Starts the event loops; nothing listens until the first {@link #apply}. */
    public DataPlane(Settings settings) {
        this.transport = Transport.best();
        if (transport != Transport.EPOLL) {
            LOG.atWarn().addKeyValue("cause", String.valueOf(Transport.epollUnavailabilityCause()))
                    .log("native epoll unavailable; using NIO without SO_REUSEPORT");
        }
        this.workers = transport.newGroup(settings.workers(), "switchboard-worker");
        this.state = new RoutingState(AffinityTable.create(settings.maxAffinityEntries()));
        this.listeners = new ListenerManager(workers, transport,
                Map.of(Protocol.TCP, ListenerManager.tcpBinder(transport, workers,
                        () -> new TcpFrontendHandler(state, transport))),
                settings.wildcardThreshold());
    }

    /** Binds, publishes and unbinds for one update. Called by the sync loop only. */
    public void apply(RoutingUpdate update) {
        listeners.update(update.added(), update.removed());
        listeners.reconcile();
        state.publish(update.table());
        forgetRetiredAffinity();
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

    /** The event loops. */
    public EventLoopGroup workers() {
        return workers;
    }

    /** The transport in use. */
    public Transport transport() {
        return transport;
    }

    /** Closes listeners, then lets open connections end with the event loops. */
    @Override
    public void close() {
        listeners.close();
        workers.shutdownGracefully(0, Duration.ofSeconds(2).toMillis(), TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
