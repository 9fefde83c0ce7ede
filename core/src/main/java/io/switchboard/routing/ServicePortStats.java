package io.switchboard.routing;


/**
 * Counters for one Service port that must survive endpoint changes: connections rejected for want
 * of an endpoint or refused by source ranges, retries after failed connects, UDP flow life cycles and dropped datagrams, and
 * totals over all its endpoints past and present.
 */
public final class ServicePortStats {

    // Indexes into the counters, which are made at their first count (most never count).
    private static final int REJECTED = 0;
    private static final int SOURCE_DENIED = 1;
    private static final int RETRIES = 2;
    private static final int CONNECTIONS = 3;
    private static final int CONNECT_FAILURES = 4;
    private static final int BYTES_TO_ENDPOINTS = 5;
    private static final int BYTES_FROM_ENDPOINTS = 6;
    private static final int DATAGRAMS_TO_ENDPOINTS = 7;
    private static final int DATAGRAMS_FROM_ENDPOINTS = 8;
    private static final int DATAGRAMS_DROPPED = 9;
    private static final int FLOWS_CREATED = 10;
    private static final int FLOWS_EXPIRED = 11;
    private static final int FLOWS_EVICTED = 12;
    private static final int FLOWS_RECONCILED = 13;
    private static final int FLOWS_FLUSHED = 14;
    private static final int EJECTIONS = 15;

    private final LazyAdders counters = new LazyAdders(16);
    private final RequestStats requests = new RequestStats();
    /** Made at the first HTTP request: 30 slots of window that an L4 port never uses. */
    private volatile RetryBudget retryBudget;
    /** Endpoints removed from the Service port while connections to them were open. */
    private final java.util.Set<Backend> retained = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A connection was reset because no endpoint could take it. */
    public void rejected() {
        counters.increment(REJECTED);
    }

    /**
     * A connection (or a UDP datagram that would open a flow) to a load-balancer IP came from a client
     * outside its {@code loadBalancerSourceRanges} and was refused.
     */
    public void sourceDenied() {
        counters.increment(SOURCE_DENIED);
    }

    /** Connections and flow-opening datagrams refused by {@code loadBalancerSourceRanges}. */
    public long sourceDeniedCount() {
        return counters.sum(SOURCE_DENIED);
    }

    /** A connection tried another endpoint after a failed connect. */
    public void retried() {
        counters.increment(RETRIES);
    }

    /** A connection reached an endpoint. */
    public void connected() {
        counters.increment(CONNECTIONS);
    }

    /** A connect attempt failed. */
    public void connectFailed() {
        counters.increment(CONNECT_FAILURES);
    }

    /** Bytes relayed from clients to endpoints. */
    public void addBytesToEndpoints(long n) {
        counters.add(BYTES_TO_ENDPOINTS, n);
    }

    /** Bytes relayed from endpoints to clients. */
    public void addBytesFromEndpoints(long n) {
        counters.add(BYTES_FROM_ENDPOINTS, n);
    }

    /** HTTP request counters of this Service port. */
    public RequestStats requests() {
        return requests;
    }

    /** Outlier detection ejected one of this port's endpoints. */
    public void ejected() {
        counters.increment(EJECTIONS);
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
        RetryBudget b = retryBudget;
        if (b == null) {
            synchronized (this) {
                b = retryBudget;
                if (b == null) {
                    retryBudget = b = new RetryBudget();
                }
            }
        }
        return b;
    }

    public long ejectionCount() {
        return counters.sum(EJECTIONS);
    }

    /** A datagram of {@code bytes} went to an endpoint. */
    public void datagramToEndpoint(int bytes) {
        counters.increment(DATAGRAMS_TO_ENDPOINTS);
        counters.add(BYTES_TO_ENDPOINTS, bytes);
    }

    /** A datagram of {@code bytes} came back from an endpoint. */
    public void datagramFromEndpoint(int bytes) {
        counters.increment(DATAGRAMS_FROM_ENDPOINTS);
        counters.add(BYTES_FROM_ENDPOINTS, bytes);
    }

    /** A datagram was dropped: no endpoint could take its flow, or a queue was full. */
    public void datagramDropped() {
        counters.increment(DATAGRAMS_DROPPED);
    }

    /** A UDP flow began. */
    public void flowCreated() {
        counters.increment(FLOWS_CREATED);
    }

    /** A UDP flow ended after its timeout. */
    public void flowExpired() {
        counters.increment(FLOWS_EXPIRED);
    }

    /** A UDP flow was evicted to keep the flow table within its bound. */
    public void flowEvicted() {
        counters.increment(FLOWS_EVICTED);
    }

    /** A UDP flow was removed because its endpoint is no longer usable. */
    public void flowReconciled() {
        counters.increment(FLOWS_RECONCILED);
    }

    /** A UDP flow was removed by an operator. */
    public void flowFlushed() {
        counters.increment(FLOWS_FLUSHED);
    }

    public long datagramsToEndpoints() {
        return counters.sum(DATAGRAMS_TO_ENDPOINTS);
    }

    public long datagramsFromEndpoints() {
        return counters.sum(DATAGRAMS_FROM_ENDPOINTS);
    }

    public long datagramsDropped() {
        return counters.sum(DATAGRAMS_DROPPED);
    }

    public long flowsCreated() {
        return counters.sum(FLOWS_CREATED);
    }

    public long flowsExpired() {
        return counters.sum(FLOWS_EXPIRED);
    }

    public long flowsEvicted() {
        return counters.sum(FLOWS_EVICTED);
    }

    public long flowsReconciled() {
        return counters.sum(FLOWS_RECONCILED);
    }

    public long flowsFlushed() {
        return counters.sum(FLOWS_FLUSHED);
    }

    public long rejectedCount() {
        return counters.sum(REJECTED);
    }

    public long retryCount() {
        return counters.sum(RETRIES);
    }

    public long connectionCount() {
        return counters.sum(CONNECTIONS);
    }

    public long connectFailureCount() {
        return counters.sum(CONNECT_FAILURES);
    }

    public long bytesToEndpoints() {
        return counters.sum(BYTES_TO_ENDPOINTS);
    }

    public long bytesFromEndpoints() {
        return counters.sum(BYTES_FROM_ENDPOINTS);
    }
}
