package io.switchboard.routing;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for one Service port that must survive endpoint changes: connections rejected for want
 * of an endpoint or refused by source ranges, retries after failed connects, UDP flow life cycles and dropped datagrams, and
 * totals over all its endpoints past and present.
 */
public final class ServicePortStats {

    private final LongAdder rejected = new LongAdder();
    private final LongAdder sourceDenied = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder bytesToEndpoints = new LongAdder();
    private final LongAdder bytesFromEndpoints = new LongAdder();
    private final LongAdder datagramsToEndpoints = new LongAdder();
    private final LongAdder datagramsFromEndpoints = new LongAdder();
    private final LongAdder datagramsDropped = new LongAdder();
    private final LongAdder flowsCreated = new LongAdder();
    private final LongAdder flowsExpired = new LongAdder();
    private final LongAdder flowsEvicted = new LongAdder();
    private final LongAdder flowsReconciled = new LongAdder();
    private final LongAdder flowsFlushed = new LongAdder();
    private final RequestStats requests = new RequestStats();
    private final LongAdder ejections = new LongAdder();
    private final RetryBudget retryBudget = new RetryBudget();
    /** Endpoints removed from the Service port while connections to them were open. */
    private final java.util.Set<Backend> retained = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A connection was reset because no endpoint could take it. */
    public void rejected() {
        rejected.increment();
    }

    /**
     * A connection (or a UDP datagram that would open a flow) to a load-balancer IP came from a client
     * outside its {@code loadBalancerSourceRanges} and was refused.
     */
    public void sourceDenied() {
        sourceDenied.increment();
    }

    /** Connections and flow-opening datagrams refused by {@code loadBalancerSourceRanges}. */
    public long sourceDeniedCount() {
        return sourceDenied.sum();
    }

    /** A connection tried another endpoint after a failed connect. */
    public void retried() {
        retries.increment();
    }

    /** A connection reached an endpoint. */
    public void connected() {
        connections.increment();
    }

    /** A connect attempt failed. */
    public void connectFailed() {
        connectFailures.increment();
    }

    /** Bytes relayed from clients to endpoints. */
    public void addBytesToEndpoints(long n) {
        bytesToEndpoints.add(n);
    }

    /** Bytes relayed from endpoints to clients. */
    public void addBytesFromEndpoints(long n) {
        bytesFromEndpoints.add(n);
    }

    /** HTTP request counters of this Service port. */
    public RequestStats requests() {
        return requests;
    }

    /** Outlier detection ejected one of this port's endpoints. */
    public void ejected() {
        ejections.increment();
    }

    /** Keeps a removed endpoint in view while its connections are open. */
    void retain(Backend b) {
        retained.add(b);
    }

    /**
     * Endpoints removed from this port whose connections are still open: they count in the metrics
     * and the admin view until the last one ends. Those done are forgotten here.
     */
    public java.util.List<Backend> retained() {
        retained.removeIf(b -> !b.hasOpenConnections());
        return java.util.List.copyOf(retained);
    }

    /** The retry budget of this Service port's HTTP requests. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    public long ejectionCount() {
        return ejections.sum();
    }

    /** A datagram of {@code bytes} went to an endpoint. */
    public void datagramToEndpoint(int bytes) {
        datagramsToEndpoints.increment();
        bytesToEndpoints.add(bytes);
    }

    /** A datagram of {@code bytes} came back from an endpoint. */
    public void datagramFromEndpoint(int bytes) {
        datagramsFromEndpoints.increment();
        bytesFromEndpoints.add(bytes);
    }

    /** A datagram was dropped: no endpoint could take its flow, or a queue was full. */
    public void datagramDropped() {
        datagramsDropped.increment();
    }

    /** A UDP flow began. */
    public void flowCreated() {
        flowsCreated.increment();
    }

    /** A UDP flow ended after its timeout. */
    public void flowExpired() {
        flowsExpired.increment();
    }

    /** A UDP flow was evicted to keep the flow table within its bound. */
    public void flowEvicted() {
        flowsEvicted.increment();
    }

    /** A UDP flow was removed because its endpoint is no longer usable. */
    public void flowReconciled() {
        flowsReconciled.increment();
    }

    /** A UDP flow was removed by an operator. */
    public void flowFlushed() {
        flowsFlushed.increment();
    }

    public long datagramsToEndpoints() {
        return datagramsToEndpoints.sum();
    }

    public long datagramsFromEndpoints() {
        return datagramsFromEndpoints.sum();
    }

    public long datagramsDropped() {
        return datagramsDropped.sum();
    }

    public long flowsCreated() {
        return flowsCreated.sum();
    }

    public long flowsExpired() {
        return flowsExpired.sum();
    }

    public long flowsEvicted() {
        return flowsEvicted.sum();
    }

    public long flowsReconciled() {
        return flowsReconciled.sum();
    }

    public long flowsFlushed() {
        return flowsFlushed.sum();
    }

    public long rejectedCount() {
        return rejected.sum();
    }

    public long retryCount() {
        return retries.sum();
    }

    public long connectionCount() {
        return connections.sum();
    }

    public long connectFailureCount() {
        return connectFailures.sum();
    }

    public long bytesToEndpoints() {
        return bytesToEndpoints.sum();
    }

    public long bytesFromEndpoints() {
        return bytesFromEndpoints.sum();
    }
}
