package io.switchboard.bench;

/**
 * An open-loop schedule: request {@code i} (from 0) is intended to be sent at {@code start + i / rate},
 * whatever happened to the requests before it. A load generator that sends late (no connection free,
 * a slow response) still measures each request from this intended time, so a stall shows up in the
 * latency of every request it delayed rather than in fewer requests being sent (coordinated omission).
 */
final class FixedRateSchedule {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long startNanos;
    private final long rate;
    private final long total;

    /**
     * @param startNanos the intended send time of request 0 ({@link System#nanoTime()} scale)
     * @param rate requests per second, at least 1
     * @param total how many requests the schedule holds
     */
    FixedRateSchedule(long startNanos, long rate, long total) {
        if (rate < 1 || total < 0) {
            throw new IllegalArgumentException("rate " + rate + ", total " + total);
        }
        this.startNanos = startNanos;
        this.rate = rate;
        this.total = total;
    }

    long total() {
        return total;
    }

    /** The intended send time of request {@code i}: start + floor(i * 1e9 / rate) ns. */
    long intendedNanos(long i) {
        return startNanos + i * NANOS_PER_SECOND / rate;
    }

    /** How many requests are due by {@code nowNanos}: those whose intended send time is at or before it. */
    long dueBy(long nowNanos) {
        long elapsed = nowNanos - startNanos;
        if (elapsed < 0) {
            return 0;
        }
        // floor(k * 1e9 / rate) <= elapsed  <=>  k < (elapsed + 1) * rate / 1e9; the count is that bound, rounded up.
        long due = ((elapsed + 1) * rate + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
        return Math.min(due, total);
    }
}
