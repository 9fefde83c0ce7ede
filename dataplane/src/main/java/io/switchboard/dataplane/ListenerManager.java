package io.switchboard.dataplane;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.switchboard.model.Protocol;
import io.switchboard.routing.VirtualAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the listening sockets. Service addresses that share a port and protocol share listeners: up
 * to {@code wildcardThreshold} addresses are bound one by one; beyond that one wildcard socket
 * serves the port and each connection is dispatched on the address it reached (an address no
 * Service serves is reset). So 50,000 Services on port 80 need one socket per event loop, not 50,000.
 * With epoll every listener is one SO_REUSEPORT socket per event loop, so accepted connections stay
 * on the loop that accepted them. Not thread-safe: the sync loop is its only caller.
 */
public final class ListenerManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerManager.class);

    /** A socket address a listener is bound to. */
    public record BindKey(Protocol protocol, InetAddress address, int port) implements Comparable<BindKey> {
        @Override
        public int compareTo(BindKey o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return new VirtualAddress(address, port, protocol).toString();
        }
    }

    /** How a listener is doing, for the admin view. */
    public record ListenerStatus(BindKey key, boolean wildcard, int sockets, String error) {
    }

    /** Binds one socket of a protocol; {@code loop} is null when the transport cannot share a port. */
    @FunctionalInterface
    public interface Binder {
        Channel bind(BindKey key, EventLoop loop, boolean freeBind) throws Exception;
    }

    private record PortKey(Protocol protocol, int port) {
    }

    private final Map<Protocol, EventLoopGroup> loops;
    private final Transport transport;
    private final Map<Protocol, Binder> binders;
    private final int wildcardThreshold;
    private final Map<PortKey, Set<InetAddress>> addressesByPort = new HashMap<>();
    /**
     * How many of each port's addresses are IPv6, kept with them: which wildcard a port needs was a
     * scan of all its addresses at every change (a fifth of the sync that adds one Service to 50,000).
     */
    private final Map<PortKey, Integer> ipv6ByPort = new HashMap<>();
    private final Map<BindKey, List<Channel>> bound = new HashMap<>();
    private final Map<BindKey, String> failures = new TreeMap<>();
    private final Set<PortKey> dirty = new HashSet<>();
    /** The TCP server sockets, which the connection limit switches off and on from any thread. */
    private final Set<Channel> acceptors = new java.util.concurrent.CopyOnWriteArraySet<>();
    private volatile boolean accepting = true;
    /** Set by a drain: TCP is not bound again, whatever the table says. */
    private boolean tcpClosed;

    /**
     * A manager.
     *
     * @param loops             the event loops of each protocol (with SO_REUSEPORT, a socket each)
     * @param transport         the TCP transport: whether sockets share a port is the same for both
     *                          protocols ({@link Transports})
     * @param binders           how to bind each protocol
     * @param wildcardThreshold how many addresses on one port are bound one by one at most
     */
    public ListenerManager(Map<Protocol, EventLoopGroup> loops, Transport transport, Map<Protocol, Binder> binders,
                           int wildcardThreshold) {
        this.loops = Map.copyOf(loops);
        this.transport = Objects.requireNonNull(transport, "transport");
        this.binders = Map.copyOf(binders);
        if (wildcardThreshold < 1) {
            throw new IllegalArgumentException("wildcardThreshold must be at least 1");
        }
        this.wildcardThreshold = wildcardThreshold;
    }

    /** Records addresses that appeared and disappeared; {@link #reconcile()} acts on them. */
    public void update(List<VirtualAddress> added, List<VirtualAddress> removed) {
        for (VirtualAddress a : removed) {
            PortKey key = new PortKey(a.protocol(), a.port());
            Set<InetAddress> set = addressesByPort.get(key);
            if (set != null && set.remove(a.address())) {
                dirty.add(key);
                if (a.address() instanceof Inet6Address) {
                    ipv6ByPort.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
                }
                if (set.isEmpty()) {
                    addressesByPort.remove(key);
                }
            }
        }
        for (VirtualAddress a : added) {
            PortKey key = new PortKey(a.protocol(), a.port());
            if (addressesByPort.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(a.address())) {
                dirty.add(key);
                if (a.address() instanceof Inet6Address) {
                    ipv6ByPort.merge(key, 1, Integer::sum);
                }
            }
        }
    }

    /**
     * Binds what is wanted and not bound (new bindings first, so a switch to a wildcard socket leaves
     * no gap), then closes what is no longer wanted. Failed bindings are retried on every call.
     */
    public void reconcile() {
        for (BindKey failed : failures.keySet()) {
            dirty.add(new PortKey(failed.protocol(), failed.port()));
        }
        for (PortKey port : dirty) {
            Set<BindKey> wanted = wanted(port);
            List<BindKey> obsolete = new ArrayList<>();
            for (BindKey k : bound.keySet()) {
                if (k.protocol() == port.protocol() && k.port() == port.port() && !wanted.contains(k)) {
                    obsolete.add(k);
                }
            }
            if (!transport.reusePort()) {
                // Without SO_REUSEPORT a wildcard and a specific socket on one port cannot coexist.
                obsolete.forEach(this::close);
            }
            for (BindKey k : wanted) {
                if (!bound.containsKey(k)) {
                    bind(k);
                }
            }
            for (BindKey k : obsolete) {
                close(k);
            }
            failures.keySet().removeIf(k -> k.protocol() == port.protocol() && k.port() == port.port()
                    && !wanted.contains(k));
        }
        dirty.clear();
    }

    private Set<BindKey> wanted(PortKey port) {
        Set<InetAddress> addresses = addressesByPort.getOrDefault(port, Set.of());
        Set<BindKey> out = new LinkedHashSet<>();
        // UDP replies must leave from the Service address the client used, and a wildcard socket cannot
        // choose its source address per datagram here: UDP addresses are always bound one by one.
        if (addresses.size() > wildcardThreshold && port.protocol() == Protocol.TCP) {
            // A dual-stack IPv6 wildcard socket serves both families.
            out.add(new BindKey(port.protocol(), ipv6ByPort.containsKey(port) ? ANY6 : ANY4, port.port()));
        } else {
            for (InetAddress a : addresses) {
                out.add(new BindKey(port.protocol(), a, port.port()));
            }
        }
        return out;
    }

    private static final InetAddress ANY4 = literal("0.0.0.0");
    private static final InetAddress ANY6 = literal("::");

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("wildcard address literal " + address, e);
        }
    }

    private void bind(BindKey key) {
        Binder binder = binders.get(key.protocol());
        if (tcpClosed && key.protocol() == Protocol.TCP) {
            return;
        }
        if (binder == null) {
            failures.put(key, "protocol " + key.protocol() + " is not supported");
            return;
        }
        boolean wildcard = key.address().isAnyLocalAddress();
        List<Channel> channels = new ArrayList<>();
        try {
            if (transport.reusePort()) {
                for (var executor : loops.get(key.protocol())) {
                    channels.add(binder.bind(key, (EventLoop) executor, !wildcard));
                }
            } else {
                channels.add(binder.bind(key, null, false));
            }
            bound.put(key, channels);
            if (key.protocol() == Protocol.TCP) {
                channels.forEach(this::addAcceptor);
            }
            failures.remove(key);
            LOG.atInfo().addKeyValue("listener", key).addKeyValue("sockets", channels.size())
                    .addKeyValue("wildcard", wildcard).log("listening");
        } catch (Exception e) {
            channels.forEach(Channel::close);
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!message.equals(failures.put(key, message))) {
                LOG.atError().addKeyValue("listener", key).addKeyValue("error", message)
                        .log("cannot listen; will retry at the next sync");
            }
        }
    }

    private void addAcceptor(Channel c) {
        acceptors.add(c);
        applyAccepting(c);
    }

    /** Stops or resumes accepting on every TCP listener, now and as they are bound. Any thread. */
    public void setAccepting(boolean on) {
        accepting = on;
        for (Channel c : acceptors) {
            applyAccepting(c);
        }
    }

    /**
     * Applies the latest flag on the listener's own loop: from another thread Netty leaves a read
     * already requested in place, so one more connection would be accepted after the pause. Each
     * task reads the flag when it runs, so tasks that race settle on the last value.
     */
    private void applyAccepting(Channel c) {
        if (c.eventLoop().inEventLoop()) {
            c.config().setAutoRead(accepting);
        } else {
            c.eventLoop().execute(() -> c.config().setAutoRead(accepting));
        }
    }

    private void close(BindKey key) {
        List<Channel> channels = bound.remove(key);
        if (channels != null) {
            acceptors.removeAll(channels);
            for (Channel c : channels) {
                c.close().syncUninterruptibly();
            }
            LOG.atInfo().addKeyValue("listener", key).log("stopped listening");
        }
    }

    /**
     * Closes every TCP listener for good, so that a successor bound with SO_REUSEPORT takes every new
     * connection; UDP listeners stay, as replies of existing flows must leave from them.
     */
    public void closeTcp() {
        tcpClosed = true;
        new ArrayList<>(bound.keySet()).stream().filter(k -> k.protocol() == Protocol.TCP).forEach(this::close);
        failures.keySet().removeIf(k -> k.protocol() == Protocol.TCP);
    }

    /** The listeners and failed bindings. */
    public List<ListenerStatus> status() {
        List<ListenerStatus> out = new ArrayList<>();
        new TreeMap<>(bound).forEach((k, v) -> out.add(new ListenerStatus(k, k.address().isAnyLocalAddress(),
                v.size(), null)));
        failures.forEach((k, v) -> out.add(new ListenerStatus(k, k.address().isAnyLocalAddress(), 0, v)));
        return out;
    }

    /** The bindings that failed, with why. */
    public Map<BindKey, String> failures() {
        return Map.copyOf(failures);
    }

    /** Closes every listener. */
    @Override
    public void close() {
        new ArrayList<>(bound.keySet()).forEach(this::close);
    }
}
