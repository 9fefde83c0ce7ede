package io.switchboard.bench;

import java.util.Arrays;

/**
 * Every latency of a bounded run, in nanoseconds, and nearest-rank percentiles over them: the p-th
 * percentile is the smallest recorded value that at least p % of all values are at or below.
 */
final class LatencyRecorder {

    private final long[] nanos;
    private int count;

    LatencyRecorder(int capacity) {
        nanos = new long[capacity];
    }

    /** Records one latency; values beyond the capacity are dropped (the caller sizes it to the run). */
    void record(long latencyNanos) {
        if (count < nanos.length) {
            nanos[count++] = latencyNanos;
        }
    }

    int count() {
        return count;
    }

    /** The recorded values, sorted; empty when none were. */
    long[] sorted() {
        long[] copy = Arrays.copyOf(nanos, count);
        Arrays.sort(copy);
        return copy;
    }

    /**
     * The nearest-rank {@code percent}-th percentile of {@code sorted} (0 < percent <= 100), or 0 when empty.
     * The rank is computed in integer parts per million, so p99.9 of 1,000 values is the 999th, not the 1,000th
     * (99.9 / 100 * 1000 is 999.0000000000001 in doubles).
     */
    static long percentile(long[] sorted, double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent " + percent);
        }
        if (sorted.length == 0) {
            return 0;
        }
        long ppm = Math.round(percent * 10_000);
        long rank = (ppm * sorted.length + 999_999) / 1_000_000;
        return sorted[(int) Math.max(1, rank) - 1];
    }
}
