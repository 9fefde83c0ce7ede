package io.switchboard.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where in a fixed-rate run the slow requests were, for matching them against the target's own logs (GC
 * pauses, safepoints, deoptimizations). The recorded phase is cut into buckets of {@code bucketMillis} by
 * each request's intended send time; a bucket keeps the slowest latency of the requests intended in it and
 * the most the generator's own timer fired late in it (a generator or machine stall, not the target's).
 * Written as CSV with each bucket's wall-clock time in epoch milliseconds, the clock the JVM's {@code time}
 * log decoration and most tools print.
 */
final class StallTimeline {

    private final long startNanos;
    private final long startEpochMillis;
    private final long bucketNanos;
    private final long[] slowest;
    private final long[] timerLate;

    /**
     * @param startNanos the intended send time of the first recorded request ({@link System#nanoTime()} scale)
     * @param startEpochMillis the wall-clock time of {@code startNanos}
     */
    StallTimeline(long startNanos, long startEpochMillis, long seconds, int bucketMillis) {
        this.startNanos = startNanos;
        this.startEpochMillis = startEpochMillis;
        this.bucketNanos = bucketMillis * 1_000_000L;
        int buckets = (int) (seconds * 1000 / bucketMillis) + 1;
        this.slowest = new long[buckets];
        this.timerLate = new long[buckets];
    }

    void latency(long intendedNanos, long latencyNanos) {
        int b = bucket(intendedNanos);
        if (b >= 0) {
            slowest[b] = Math.max(slowest[b], latencyNanos);
        }
    }

    void timerLate(long nowNanos, long lateNanos) {
        int b = bucket(nowNanos);
        if (b >= 0) {
            timerLate[b] = Math.max(timerLate[b], lateNanos);
        }
    }

    private int bucket(long nanos) {
        long b = (nanos - startNanos) / bucketNanos;
        return nanos < startNanos || b >= slowest.length ? -1 : (int) b;
    }

    /** Writes {@code epoch_ms,offset_ms,slowest_ms,timer_late_ms}, one line per bucket. */
    void write(Path file) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII))) {
            out.println("epoch_ms,offset_ms,slowest_ms,timer_late_ms");
            long bucketMillis = bucketNanos / 1_000_000L;
            for (int b = 0; b < slowest.length; b++) {
                out.printf(Locale.ROOT, "%d,%d,%.3f,%.3f%n", startEpochMillis + b * bucketMillis, b * bucketMillis,
                        slowest[b] / 1e6, timerLate[b] / 1e6);
            }
        }
    }
}
