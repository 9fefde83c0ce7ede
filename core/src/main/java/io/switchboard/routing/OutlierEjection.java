package io.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Outlier detection by consecutive failures, as Envoy's {@code consecutive_5xx}. The rule: after
 * {@code threshold} failed requests in a row (5xx, resets, timeouts, refused connects) the endpoint
 * is ejected for {@code base x n}, where n counts its ejections in a row, at most
 * {@value #MAX_MULTIPLIER}; a success once a probation as long as the last ejection has passed
 * after it ends the row, so the next ejection is the base again. Counts only; the caller passes
 * the clock and owns the hold-down.
 */
final class OutlierEjection {

    /** Ejections in a row stop lengthening the ejection beyond this many times the base. */
    static final int MAX_MULTIPLIER = 10;

    private final AtomicInteger consecutiveErrors = new AtomicInteger();
    private final AtomicInteger inARow = new AtomicInteger();
    private final LongAdder ejected = new LongAdder();
    private volatile long probationEnd;

    /** Counts a failed request at {@code now}; returns how long it ejects the endpoint, or 0 when it does not. */
    long failed(int threshold, long baseNanos, long now) {
        if (consecutiveErrors.incrementAndGet() < threshold) {
            return 0;
        }
        consecutiveErrors.set(0);
        int n = Math.min(inARow.incrementAndGet(), MAX_MULTIPLIER);
        long duration = baseNanos * n;
        probationEnd = now + 2 * duration;
        ejected.increment();
        return duration;
    }

    /** Counts a successful request at {@code now}. */
    void succeeded(long now) {
        consecutiveErrors.set(0);
        if (inARow.get() > 0 && now - probationEnd > 0) {
            inARow.set(0);
        }
    }

    /** How many times it ejected the endpoint. */
    long count() {
        return ejected.sum();
    }
}
