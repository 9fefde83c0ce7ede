package io.switchboard.health;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.switchboard.dataplane.Transport;
import io.switchboard.dataplane.http.HttpProtocol;
import io.switchboard.model.Protocol;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServicePortName;
import io.switchboard.routing.Backend;
import io.switchboard.routing.Backend.DownReason;
import io.switchboard.routing.HoldDownListener;
import io.switchboard.routing.RoutingTable;
import io.switchboard.routing.ServiceRoutes;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings an endpoint that passive health took out of rotation back as soon as it is seen to work,
 * not only when its hold-down (which grows with each failure, up to minutes) runs out. While it is
 * held down, every {@link #INTERVAL}: after failed connects, a TCP connect, unless an active check
 * of its Service does the same already; after an outlier ejection, a {@code GET /} in the protocol
 * its port speaks to endpoints, whose answer ends the ejection unless it is a server error (5xx)
 * or none. Only TCP ports are probed (a UDP endpoint has nothing to connect to). Probes stop when
 * the hold-down ends, the endpoint leaves the table or the prober closes; each recovery is logged
 * and counted on the endpoint ({@link Backend#recoveredCount()}).
 */
public final class RecoveryProbes implements HoldDownListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryProbes.class);

    /** Time between probes of one held-down endpoint. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** How long one probe waits to connect and, for a request, for its response to begin. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** How a port's endpoints are probed. */
    private record PortProbe(HttpProtocol http, boolean activeCheck) {
    }

    private final EventLoopGroup group;
    private final Transport transport;
    private final Duration interval;
    /**
     * The table in effect, written by the sync loop, read on event loops: a probe looks its port up
     * in it when it runs, so a sync costs nothing here however many Services changed (a copy of
     * every port's probe settings was 6 % of the first sync of 50,000 Services).
     */
    private volatile RoutingTable table = RoutingTable.EMPTY;
    private final Set<Backend> probing = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Probes on {@code group}'s loops every {@link #INTERVAL}. */
    public RecoveryProbes(EventLoopGroup group, Transport transport) {
        this(group, transport, INTERVAL);
    }

    RecoveryProbes(EventLoopGroup group, Transport transport, Duration interval) {
        this.group = Objects.requireNonNull(group, "group");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    /** Learns how the Services' ports are probed: from {@code table}, now in effect ({@code changed} is not needed). */
    public void reconcile(RoutingTable table, Set<ServiceId> changed) {
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public void heldDown(Backend backend, DownReason reason) {
        if (closed || backend.servicePort().protocol() != Protocol.TCP || !probing.add(backend)) {
            return;
        }
        EventLoop loop = group.next();
        loop.schedule(() -> probe(backend, loop), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probe(Backend backend, EventLoop loop) {
        DownReason reason = backend.downReason();
        PortProbe port = portOf(backend.servicePort());
        if (closed || backend.retired() || reason == null || port == null) {
            probing.remove(backend);
            return;
        }
        if (reason == DownReason.CONNECTS) {
            if (port.activeCheck()) {
                probing.remove(backend);
                return;
            }
            ConnectProbe.connect(loop, transport, backend.socketAddress(), TIMEOUT, cause -> {
                if (cause == null && backend.seenWorking()) {
                    recovered(backend, reason, "a connect");
                } else {
                    again(backend, loop);
                }
            });
            return;
        }
        if (port.http() == null) {
            probing.remove(backend);
            return;
        }
        ProbeRequest.send(loop, transport, backend.socketAddress(), port.http().http2Upstream(), TIMEOUT, status -> {
            if (status > 0 && status < 500 && backend.probeSucceeded()) {
                recovered(backend, reason, "GET / answered " + status);
            } else {
                again(backend, loop);
            }
        });
    }

    private void again(Backend backend, EventLoop loop) {
        if (closed || backend.downReason() == null || backend.retired()) {
            probing.remove(backend);
            return;
        }
        loop.schedule(() -> probe(backend, loop), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void recovered(Backend backend, DownReason reason, String how) {
        probing.remove(backend);
        LOG.atInfo().addKeyValue("endpoint", backend).addKeyValue("heldDownBy", reason).addKeyValue("probe", how)
                .log("endpoint held down by passive health answered a probe; back in rotation");
    }

    private PortProbe portOf(ServicePortName spn) {
        ServiceRoutes routes = table.services().get(spn.service());
        if (routes == null) {
            return null;
        }
        for (ServicePort p : routes.service().ports()) {
            if (p.nameIn(spn.service()).equals(spn)) {
                return new PortProbe(HttpProtocol.of(p.appProtocol()), routes.service().options().healthCheck().isPresent());
            }
        }
        return null;
    }

    /** How many endpoints are being probed now. */
    public int probing() {
        return probing.size();
    }

    @Override
    public void close() {
        closed = true;
        probing.clear();
    }
}
