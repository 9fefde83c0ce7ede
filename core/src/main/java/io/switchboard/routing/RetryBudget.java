package io.switchboard.routing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * How many retries a Service port may make, after Finagle's {@code RetryBudget}: every request
 * deposits {@code percent}/100 of a retry, every retry withdraws one, and a reserve of
 * {@code minPerSecond} retries per second is always there; deposits and withdrawals count for a
 * window of {@value #WINDOW_SECONDS} s. So a burst of failures (one endpoint dying with many
 * requests in flight) is retried in full from the reserve and the window's deposits, while when
 * every endpoint fails retries add at most {@code percent} % of the requests plus the reserve: no
 * retry storm.
 *
 * <p>Lock-free: one slot per second of the window, each stamped with its second; a slot from an
 * older second is zeroed on first use. Counts racing with that reset may be lost, which only blurs
 * a budget.
 */
public final class RetryBudget {

    /** Seconds deposits and withdrawals count for. */
    public static final int WINDOW_SECONDS = 10;

    private final LongSupplier nanoTime;
    /** Per slot: the second it counts for, deposits in hundredths of a retry, withdrawals. */
    private final AtomicLongArray seconds = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray deposits = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray withdrawals = new AtomicLongArray(WINDOW_SECONDS);

    /** A budget on {@code nanoTime}'s clock. */
    public RetryBudget(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        long now = second();
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            seconds.set(i, Long.MIN_VALUE);
        }
        seconds.set(slot(now), now);
    }

    /** A budget on the system clock. */
    public RetryBudget() {
        this(System::nanoTime);
    }

    private long second() {
        return TimeUnit.NANOSECONDS.toSeconds(nanoTime.getAsLong());
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    }

    /** The slot of {@code now}, zeroed first if it held an older second. */
    private int current(long now) {
        int i = slot(now);
        long stamped = seconds.get(i);
        if (stamped != now && seconds.compareAndSet(i, stamped, now)) {
            deposits.set(i, 0);
            withdrawals.set(i, 0);
        }
        return i;
    }

    /** A request started: it earns {@code percent}/100 of a retry. */
    public void deposit(int percent) {
        long now = second();
        deposits.addAndGet(current(now), percent);
    }

    /**
     * Takes one retry if the budget has one: the reserve of {@code minPerSecond} per second over the
     * window, plus the window's deposits, minus its withdrawals.
     */
    public boolean tryWithdraw(int minPerSecond) {
        long now = second();
        int i = current(now);
        long deposited = 0;
        long withdrawn = 0;
        for (int s = 0; s < WINDOW_SECONDS; s++) {
            long stamped = seconds.get(s);
            if (stamped > now - WINDOW_SECONDS && stamped <= now) {
                deposited += deposits.get(s);
                withdrawn += withdrawals.get(s);
            }
        }
        long available = (long) minPerSecond * WINDOW_SECONDS * 100 + deposited - withdrawn * 100;
        if (available < 100) {
            return false;
        }
        withdrawals.incrementAndGet(i);
        return true;
    }
}
