package io.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * HTTP request counters of a Service port or an endpoint: requests by status class, requests in
 * flight, and a latency histogram (time to the end of the response) with fixed buckets.
 */
public final class RequestStats {

    /** Upper bounds of the latency buckets, in seconds; the last bucket is everything above. */
    public static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** Counters 0 to 5 are the status classes, then one per latency bucket; made at their first count. */
    private static final int CLASSES = 6;
    private final LazyAdders counters = new LazyAdders(CLASSES + BUCKETS.length + 1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final DoubleAdder latencySum = new DoubleAdder();

    /** Counters at 0. */
    public RequestStats() {
    }

    /** A request began. */
    public void started() {
        inFlight.incrementAndGet();
    }

    /**
     * A request ended with {@code status} (0 when no response came) after {@code nanos}.
     */
    public void finished(int status, long nanos) {
        inFlight.decrementAndGet();
        counters.increment(status >= 100 && status < 600 ? status / 100 : 0);
        double seconds = nanos / 1e9;
        latencySum.add(seconds);
        int i = 0;
        while (i < BUCKETS.length && seconds > BUCKETS[i]) {
            i++;
        }
        counters.increment(CLASSES + i);
    }

    /** Requests in flight. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Requests finished with a status of class {@code c} (1 to 5), or with no response ({@code 0}). */
    public long byClass(int c) {
        return counters.sum(c);
    }

    /** Requests finished, whatever their outcome. */
    public long total() {
        long n = 0;
        for (int c = 0; c < CLASSES; c++) {
            n += counters.sum(c);
        }
        return n;
    }

    /** Requests in each latency bucket (not cumulative); the last is above the largest bound. */
    public long[] buckets() {
        long[] out = new long[BUCKETS.length + 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = counters.sum(CLASSES + i);
        }
        return out;
    }

    /** Sum of latencies in seconds. */
    public double latencySum() {
        return latencySum.sum();
    }
}
