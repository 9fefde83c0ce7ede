package io.switchboard.routing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passive hold-down after failed connects. The rule: the n-th failed connect in a row holds the
 * endpoint down for {@code base x 2^(n-1)}, at most {@value #MAX_FACTOR} times the base; a connect
 * that succeeds (traffic, an active check or a probe) starts the count again. Counts only; the
 * caller owns the clock and the hold-down it decides.
 */
final class ConnectHoldDown {

    /** The hold-down never grows beyond this many times the base. */
    static final int MAX_FACTOR = 32;

    private final AtomicInteger consecutive = new AtomicInteger();

    /** Counts a failed connect; returns how long it holds the endpoint down. */
    long failed(long baseNanos) {
        int n = consecutive.incrementAndGet();
        return baseNanos * Math.min(MAX_FACTOR, 1L << Math.min(n - 1, 30));
    }

    /** A connect succeeded: the next failure holds down for the base again. */
    void succeeded() {
        consecutive.set(0);
    }
}
