package io.switchboard.sync;

import java.time.Duration;

/**
 * When the bounded-frequency runner should run next, as kube-proxy's
 * {@code bounded_frequency_runner.go} decides it: a requested run happens as soon as
 * {@code minInterval} has passed since the last run started (bursts of requests merge into one),
 * a run happens at least every {@code maxInterval} even if nobody asked, and a failed run is
 * retried after {@code retryInterval}. Pure: times are passed in, so tests step them.
 */
public final class RunPlan {

    private static final long NEVER = Long.MAX_VALUE;

    private final long minInterval;
    private final long maxInterval;
    private final long retryInterval;
    private boolean ranOnce;
    private long lastStart;
    private boolean requested;
    private long requestedAt;
    private long retryAt = NEVER;

    /** A plan with the given intervals. */
    public RunPlan(Duration minInterval, Duration maxInterval, Duration retryInterval) {
        if (minInterval.compareTo(maxInterval) > 0) {
            throw new IllegalArgumentException("minInterval must not exceed maxInterval");
        }
        this.minInterval = minInterval.toNanos();
        this.maxInterval = maxInterval.toNanos();
        this.retryInterval = retryInterval.toNanos();
    }

    /** Somebody asked for a run at {@code now}. */
    public void request(long now) {
        if (!requested) {
            requested = true;
            requestedAt = now;
        }
    }

    /** The time of the next run: now or earlier means run now. */
    public long nextRunAt() {
        if (!ranOnce) {
            return requested ? requestedAt : NEVER;
        }
        long next = lastStart + maxInterval;
        if (requested) {
            next = Math.min(next, Math.max(requestedAt, lastStart + minInterval));
        }
        if (retryAt != NEVER) {
            next = Math.min(next, Math.max(retryAt, lastStart + minInterval));
        }
        return next;
    }

    /** A run starts at {@code now}; requests made so far are served by it. */
    public void started(long now) {
        ranOnce = true;
        lastStart = now;
        requested = false;
        retryAt = NEVER;
    }

    /** The run that started last ended at {@code now}, successfully or not. */
    public void finished(long now, boolean success) {
        if (!success) {
            retryAt = now + retryInterval;
        }
    }
}
