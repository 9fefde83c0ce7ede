package io.switchboard.dataplane.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How many HTTP/2 streams one client address may reset within a window, across all its
 * connections: Netty bounds resets per connection, and a rapid-reset attack spread over hundreds
 * of connections stays under that bound on each. The rule: at most {@code limit} client resets per
 * address in each {@code window}; a reset beyond it is refused, and the connection it came on is
 * closed with {@code ENHANCE_YOUR_CALM}. Shared by every event loop; lock-free (one compare-and-set
 * per reset). Addresses not seen for two windows are forgotten, and at most 100,000 are tracked.
 */
public final class ClientResetBudget {

    private final int limit;
    private final long windowNanos;
    private final LongSupplier clock;
    /** Per address: the window's start in clock ticks (high 40 bits, in ms) and its count (low 24 bits). */
    private final Cache<InetAddress, AtomicLong> windows;
    private final AtomicLong refused = new AtomicLong();

    ClientResetBudget(int limit, Duration window, LongSupplier nanoClock) {
        if (limit <= 0 || limit >= (1 << 24)) {
            throw new IllegalArgumentException("limit must be between 1 and " + ((1 << 24) - 1) + ": " + limit);
        }
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.clock = nanoClock;
        this.windows = Caffeine.newBuilder().expireAfterAccess(2 * windowNanos, TimeUnit.NANOSECONDS)
                .maximumSize(100_000).build();
    }

    /** A budget of {@code limit} resets per {@code window} per client address. */
    public static ClientResetBudget of(int limit, Duration window) {
        return new ClientResetBudget(limit, window, System::nanoTime);
    }

    /** Counts one reset from {@code client}; false when it is over the address's budget. */
    boolean tryReset(InetAddress client) {
        AtomicLong w = windows.get(client, k -> new AtomicLong());
        long nowMs = TimeUnit.NANOSECONDS.toMillis(clock.getAsLong()) & ((1L << 40) - 1);
        long windowMs = TimeUnit.NANOSECONDS.toMillis(windowNanos);
        while (true) {
            long v = w.get();
            long start = v >>> 24;
            long count = v & ((1 << 24) - 1);
            long next;
            if (v == 0 || nowMs - start >= windowMs || nowMs < start) {
                next = (nowMs << 24) | 1;
            } else if (count >= limit) {
                refused.incrementAndGet();
                return false;
            } else {
                next = v + 1;
            }
            if (w.compareAndSet(v, next)) {
                return true;
            }
        }
    }

    /** Resets refused so far (each closed its connection). */
    public long refused() {
        return refused.get();
    }
}
