package io.switchboard.routing;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for one Service port that must survive endpoint changes: connections rejected for want
 * of an endpoint, retries after failed connects, and totals over all its endpoints past and present.
 */
public final class ServicePortStats {

    private final LongAdder rejected = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder bytesToEndpoints = new LongAdder();
    private final LongAdder bytesFromEndpoints = new LongAdder();

    /** A connection was reset because no endpoint could take it. */
    public void rejected() {
        rejected.increment();
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
