package io.switchboard.routing;

import io.switchboard.model.EndpointConditions;
import io.switchboard.model.HostPort;
import io.switchboard.model.ServicePortName;
import io.switchboard.scheduler.Destination;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One endpoint of one Service port at run time: where connections go, how many it has (its own and,
 * for a shared-load Service, other fleet members'), what it has carried, and whether health
 * checking or a failed connect holds it down. A Backend outlives routing
 * table rebuilds while its endpoint stays, so counts and health carry over; connections still open
 * when it is removed keep it and finish normally.
 */
public final class Backend implements Destination {

    /** Passive back-off never grows beyond this many times the base. */
    static final int MAX_BACKOFF_FACTOR = ConnectHoldDown.MAX_FACTOR;

    /** Why passive health holds an endpoint out of rotation. */
    public enum DownReason {
        /** Failed connects (TCP, HTTP, or ICMP errors for UDP). */
        CONNECTS,
        /** Outlier detection: consecutive failed requests. */
        EJECTION
    }

    private final ServicePortName servicePort;
    private final InetSocketAddress socketAddress;
    private final LongSupplier nanoTime;
    private final HoldDownListener holdDowns;

    private volatile int weight;
    /** An operator drained this endpoint (admin action): it weighs 0 whatever its configured weight. */
    private volatile boolean operatorDrained;
    private volatile EndpointConditions conditions;
    private volatile String targetName;
    private volatile String nodeName;
    private volatile boolean balancesRequests;

    private final AtomicInteger active = new AtomicInteger();
    /** Connections (requests in flight, on HTTP ports) other fleet members have open to this endpoint. */
    private volatile int remote;
    private final AtomicInteger inactive = new AtomicInteger();
    // Indexes into the counters, which are made at their first count (an idle endpoint has none).
    private static final int CONNECTIONS = 0;
    private static final int BYTES_TO_ENDPOINT = 1;
    private static final int BYTES_FROM_ENDPOINT = 2;
    private static final int CONNECT_FAILURES = 3;
    private static final int DATAGRAMS_TO_ENDPOINT = 4;
    private static final int DATAGRAMS_FROM_ENDPOINT = 5;
    private static final int RECOVERIES = 6;
    private final LazyAdders counters = new LazyAdders(7);

    private final RequestStats requests = new RequestStats();
    private final OutlierEjection outliers = new OutlierEjection();
    private final ConnectHoldDown connectHoldDown = new ConnectHoldDown();
    /** Peak-EWMA latency in nanoseconds and when it was last updated; races only blur an estimate. */
    private volatile double latencyEwma;
    private volatile long latencyStamp;

    private volatile long downUntilNanos;
    /**
     * Set at the first hold-down and never cleared: until then availability needs no clock read,
     * which is most of what a scan over many endpoints costs (lc, sed, p2c pick in O(n)). Clearing it
     * when a hold-down ends could lose a hold-down that races with it.
     */
    private volatile boolean everHeldDown;
    /** What the current (or last) hold-down came from. */
    private volatile DownReason downReason = DownReason.CONNECTS;
    private volatile boolean checkedHealthy = true;
    private volatile boolean retired;

    Backend(ServicePortName servicePort, InetSocketAddress socketAddress, LongSupplier nanoTime) {
        this(servicePort, socketAddress, nanoTime, HoldDownListener.NONE);
    }

    Backend(ServicePortName servicePort, InetSocketAddress socketAddress, LongSupplier nanoTime,
            HoldDownListener holdDowns) {
        this.servicePort = servicePort;
        this.socketAddress = socketAddress;
        this.nanoTime = nanoTime;
        this.holdDowns = holdDowns;
        this.downUntilNanos = nanoTime.getAsLong();
    }

    void update(int newWeight, EndpointConditions newConditions, String newTargetName, String newNodeName,
                boolean requestLevel) {
        this.balancesRequests = requestLevel;
        this.weight = newWeight;
        this.conditions = newConditions;
        this.targetName = newTargetName;
        this.nodeName = newNodeName;
    }

    /** The Service port this endpoint serves. */
    public ServicePortName servicePort() {
        return servicePort;
    }

    /** Where connections are relayed to. */
    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    @Override
    public InetAddress address() {
        return socketAddress.getAddress();
    }

    @Override
    public int port() {
        return socketAddress.getPort();
    }

    @Override
    public int weight() {
        return operatorDrained ? 0 : weight;
    }

    /** The weight the configuration gives, drained or not. */
    public int configuredWeight() {
        return weight;
    }

    /** Whether an operator drained this endpoint, so that it weighs 0 and takes no new connection or request. */
    public boolean operatorDrained() {
        return operatorDrained;
    }

    /**
     * Drains this endpoint (weight 0 for every pick: schedulers, ClientIP affinity, sticky cookies, UDP
     * flow moves) or undoes that; connections and flows already open go on. It lasts while the
     * endpoint does.
     */
    public void operatorDrain(boolean drained) {
        this.operatorDrained = drained;
    }

    /**
     * What the connection-count schedulers (lc, wlc, sed, nq, lblc, lblcr, ovf, twos, p2c) weigh: the
     * relayed connections of an L4 port, or the requests in flight of a port that balances requests,
     * whose pooled endpoint connections say nothing about load.
     */
    @Override
    public int activeConnections() {
        return localActiveConnections() + remote;
    }

    /** This instance's share of {@link #activeConnections()}: what it publishes to its fleet. */
    public int localActiveConnections() {
        return balancesRequests ? requests.inFlight() : active.get();
    }

    /** Other instances' connections to this endpoint, from a shared-load fleet (0 otherwise). */
    public int remoteActiveConnections() {
        return remote;
    }

    /** Sets what other instances have open to this endpoint; the sum over the fleet, never negative. */
    public void remoteActiveConnections(int n) {
        remote = Math.max(0, n);
    }

    @Override
    public int inactiveConnections() {
        return balancesRequests ? 0 : inactive.get();
    }

    /** Relayed connections established in both directions (L4), for metrics. */
    public int relayedActiveConnections() {
        return active.get();
    }

    /** Relayed connections with one direction finished (L4), for metrics. */
    public int relayedInactiveConnections() {
        return inactive.get();
    }

    @Override
    public boolean isAvailable() {
        return checkedHealthy && (!everHeldDown || nanoTime.getAsLong() - downUntilNanos >= 0);
    }

    @Override
    public int inFlightRequests() {
        return requests.inFlight() + (balancesRequests ? remote : 0);
    }

    @Override
    public double latencyEstimate() {
        return latencyEwma;
    }

    /** HTTP request counters of this endpoint. */
    public RequestStats requests() {
        return requests;
    }

    /** How many times outlier detection ejected this endpoint. */
    public long ejectedCount() {
        return outliers.count();
    }

    /** How many hold-downs a probe or check ended before their time. */
    public long recoveredCount() {
        return counters.sum(RECOVERIES);
    }

    /**
     * Time constant of the latency estimate's decay, as Finagle's default: an observation's weight
     * falls to 1/e after this long (a half-life would be ln 2 of it).
     */
    private static final double DECAY_NANOS = 10e9;

    /**
     * Records a response latency in the peak EWMA: a slower observation replaces the estimate at once,
     * a faster one is averaged in with a weight that grows with the time since the last observation.
     */
    public void observeLatency(long nanos) {
        long now = nanoTime.getAsLong();
        double current = latencyEwma;
        if (nanos > current) {
            latencyEwma = nanos;
        } else {
            double w = Math.exp(-Math.max(0, now - latencyStamp) / DECAY_NANOS);
            latencyEwma = current * w + nanos * (1 - w);
        }
        latencyStamp = now;
    }

    /** A request to this endpoint succeeded: the error streak ends (see {@link OutlierEjection}). */
    public void requestSucceeded() {
        outliers.succeeded(nanoTime.getAsLong());
    }

    /**
     * A request to this endpoint failed (a 5xx, a reset, a timeout); {@link OutlierEjection} decides
     * whether that ejects it. Returns true when this ejected it.
     */
    public boolean requestFailed(int threshold, long baseNanos) {
        long now = nanoTime.getAsLong();
        long duration = outliers.failed(threshold, baseNanos, now);
        if (duration == 0) {
            return false;
        }
        holdDown(now + duration, DownReason.EJECTION);
        return true;
    }

    private void holdDown(long until, DownReason reason) {
        downUntilNanos = until;
        everHeldDown = true;
        downReason = reason;
        holdDowns.heldDown(this, reason);
    }

    /** The endpoint's conditions from its EndpointSlice. */
    public EndpointConditions conditions() {
        return conditions;
    }

    /** The pod this endpoint belongs to, or null. */
    public String targetName() {
        return targetName;
    }

    /** The node this endpoint runs on, or null. */
    public String nodeName() {
        return nodeName;
    }

    /** A connection to this endpoint was established. */
    public void connectionOpened() {
        active.incrementAndGet();
        counters.increment(CONNECTIONS);
        connectHoldDown.succeeded();
    }

    /** An established connection had one direction finish: it now counts as inactive. */
    public void connectionClosing() {
        active.decrementAndGet();
        inactive.incrementAndGet();
    }

    /** A connection ended; {@code wasClosing} tells which count it was in. */
    public void connectionClosed(boolean wasClosing) {
        (wasClosing ? inactive : active).decrementAndGet();
    }

    /** Bytes relayed from the client to this endpoint. */
    public void addBytesToEndpoint(long n) {
        counters.add(BYTES_TO_ENDPOINT, n);
    }

    /** Bytes relayed from this endpoint to the client. */
    public void addBytesFromEndpoint(long n) {
        counters.add(BYTES_FROM_ENDPOINT, n);
    }

    /** A datagram of {@code bytes} went to this endpoint. */
    public void datagramToEndpoint(int bytes) {
        counters.increment(DATAGRAMS_TO_ENDPOINT);
        counters.add(BYTES_TO_ENDPOINT, bytes);
    }

    /** A datagram of {@code bytes} came from this endpoint. */
    public void datagramFromEndpoint(int bytes) {
        counters.increment(DATAGRAMS_FROM_ENDPOINT);
        counters.add(BYTES_FROM_ENDPOINT, bytes);
    }

    /** Datagrams relayed to the endpoint. */
    public long datagramsToEndpoint() {
        return counters.sum(DATAGRAMS_TO_ENDPOINT);
    }

    /** Datagrams relayed from the endpoint. */
    public long datagramsFromEndpoint() {
        return counters.sum(DATAGRAMS_FROM_ENDPOINT);
    }

    /** A connect to this endpoint failed: it is held down as {@link ConnectHoldDown} decides. */
    public void connectFailed(long baseBackoffNanos) {
        counters.increment(CONNECT_FAILURES);
        holdDown(nanoTime.getAsLong() + connectHoldDown.failed(baseBackoffNanos), DownReason.CONNECTS);
    }

    /** Records the active health check verdict. */
    public void setCheckedHealthy(boolean healthy) {
        this.checkedHealthy = healthy;
    }

    /** The active health check verdict (true when checks are off). */
    public boolean checkedHealthy() {
        return checkedHealthy;
    }

    /** True while passive health (failed connects or an ejection) holds this endpoint down. */
    public boolean passivelyDown() {
        return everHeldDown && nanoTime.getAsLong() - downUntilNanos < 0;
    }

    /** Why passive health holds it down now, or null when it does not. */
    public DownReason downReason() {
        return passivelyDown() ? downReason : null;
    }

    /** True while connections (or UDP flows, or HTTP requests) to it are open. */
    public boolean hasOpenConnections() {
        return active.get() + inactive.get() + requests.inFlight() > 0;
    }

    /**
     * A TCP connect to it worked (an active check or a probe): a hold-down by failed connects ends
     * now rather than at the end of its back-off, and the connect failures count from zero. An
     * outlier ejection stays: a connect says nothing of the 5xx that caused it. True when it ended
     * a hold-down.
     */
    public boolean seenWorking() {
        connectHoldDown.succeeded();
        return endHoldDown(DownReason.CONNECTS);
    }

    /**
     * A probe request got an answer that was no server error: whatever held it down ends now. The
     * ejections in a row still count, so if it fails again its next ejection is longer. True when
     * it ended a hold-down.
     */
    public boolean probeSucceeded() {
        connectHoldDown.succeeded();
        return endHoldDown(null);
    }

    private boolean endHoldDown(DownReason only) {
        DownReason now = downReason();
        if (now == null || (only != null && now != only)) {
            return false;
        }
        downUntilNanos = nanoTime.getAsLong();
        counters.increment(RECOVERIES);
        return true;
    }

    /** True once the endpoint left the routing table; affinity entries to it are then forgotten. */
    public boolean retired() {
        return retired;
    }

    void retire() {
        retired = true;
    }

    /** Connections ever established. */
    public long totalConnections() {
        return counters.sum(CONNECTIONS);
    }

    /** Bytes relayed to the endpoint. */
    public long bytesToEndpoint() {
        return counters.sum(BYTES_TO_ENDPOINT);
    }

    /** Bytes relayed from the endpoint. */
    public long bytesFromEndpoint() {
        return counters.sum(BYTES_FROM_ENDPOINT);
    }

    /** Failed connect attempts. */
    public long connectFailures() {
        return counters.sum(CONNECT_FAILURES);
    }

    @Override
    public String toString() {
        return servicePort + "->" + HostPort.of(socketAddress);
    }
}
