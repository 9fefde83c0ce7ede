package io.switchboard.healthcheck;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether the proxy keeps up, in kube-proxy's sense: healthy unless a change has been queued for
 * longer than the health timeout without a sync applying it; and whether this node should take
 * traffic from external load balancers (its Node is not being deleted nor tainted
 * {@code ToBeDeletedByClusterAutoscaler}). The sync loop pushes into it; servers read it.
 */
public final class ProxyHealth {

    /** What the health servers report. */
    public record View(Instant lastUpdated, Instant now, boolean healthy, boolean nodeEligible) {
    }

    private final Duration timeout;
    private final Supplier<Instant> clock;
    /** Guarded by this. */
    private Instant lastUpdated;
    /** Guarded by this; null when nothing waits. */
    private Instant oldestQueued;
    private volatile boolean nodeEligible = true;

    /** Health with {@code timeout} for queued changes, reading time from {@code clock}. */
    public ProxyHealth(Duration timeout, Supplier<Instant> clock) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.oldestQueued = clock.get();
    }

    /** A change was recorded and waits for a sync. */
    public synchronized void queued() {
        if (oldestQueued == null) {
            oldestQueued = clock.get();
        }
    }

    /** A sync that had every source read in full applied everything queued before it started. */
    public synchronized void updated(Instant syncStarted) {
        lastUpdated = clock.get();
        if (oldestQueued != null && !oldestQueued.isAfter(syncStarted)) {
            oldestQueued = null;
        }
    }

    /** Whether this node should receive external traffic. */
    public void nodeEligible(boolean eligible) {
        nodeEligible = eligible;
    }

    /** The current state. */
    public synchronized View view() {
        Instant now = clock.get();
        // Start counts as a queued change: a proxy that never applies a full first view turns unhealthy.
        boolean healthy = oldestQueued == null || Duration.between(oldestQueued, now).compareTo(timeout) < 0;
        return new View(lastUpdated, now, healthy, nodeEligible);
    }
}
