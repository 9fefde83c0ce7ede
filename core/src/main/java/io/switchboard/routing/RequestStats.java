package io.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP request counters of a Service port or an endpoint: requests by status class, requests in
 * flight, and a latency histogram (time to the end of the response) with fixed buckets.
 */
public final class RequestStats {

    /** Upper bounds of the latency buckets, in seconds; the last bucket is everything above. */
    public static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final LongAdder[] byClass = new LongAdder[6];
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
    private final DoubleAdder latencySum = new DoubleAdder();

    public RequestStats() {
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = new LongAdder();
        }
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
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
        byClass[status >= 100 && status < 600 ? status / 100 : 0].increment();
        double seconds = nanos / 1e9;
        latencySum.add(seconds);
        int i = 0;
        while (i < BUCKETS.length && seconds > BUCKETS[i]) {
            i++;
        }
        buckets[i].increment();
    }

    /** Requests in flight. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Requests finished with a status of class {@code c} (1 to 5), or with no response ({@code 0}). */
    public long byClass(int c) {
        return byClass[c].sum();
    }

    /** Requests finished, whatever their outcome. */
    public long total() {
        long n = 0;
        for (var c : byClass) {
            n += c.sum();
        }
        return n;
    }

    /** Requests in each latency bucket (not cumulative); the last is above the largest bound. */
    public long[] buckets() {
        long[] out = new long[buckets.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = buckets[i].sum();
        }
        return out;
    }

    /** Sum of latencies in seconds. */
    public double latencySum() {
        return latencySum.sum();
    }
}
