package io.switchboard.dataplane;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An idle timeout for a relayed connection, checked {@value #CHECKS} times per timeout rather than
 * tracked per read and write as Netty's {@code IdleStateHandler} does (a promise and a listener per
 * write): traffic only clears a counter, and the connection is declared idle once a whole timeout's
 * worth of checks in a row saw none, between one and 1.25 timeouts after its last byte. Used on
 * its event loop only.
 */
public final class IdleWatch {

    static final int CHECKS = 4;

    private final EventLoop loop;
    private final long periodNanos;
    private final Runnable onIdle;
    private int quietChecks;
    private ScheduledFuture<?> pending;

    private IdleWatch(EventLoop loop, long timeoutNanos, Runnable onIdle) {
        this.loop = loop;
        this.periodNanos = Math.max(1, timeoutNanos / CHECKS);
        this.onIdle = onIdle;
    }

    /** Starts watching; {@code onIdle} runs once on {@code loop} when idle. Null when the timeout is 0. */
    public static IdleWatch start(EventLoop loop, long timeoutNanos, Runnable onIdle) {
        if (timeoutNanos <= 0) {
            return null;
        }
        IdleWatch w = new IdleWatch(loop, timeoutNanos, onIdle);
        w.schedule();
        return w;
    }

    private void schedule() {
        pending = loop.schedule(this::check, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        pending = null;
        // One check more than a timeout's worth: the last byte may have come just after a check.
        if (++quietChecks > CHECKS) {
            onIdle.run();
            return;
        }
        schedule();
    }

    /** Bytes moved: not idle. */
    public void active() {
        quietChecks = 0;
    }

    /** The connection is over: the pending check goes, so it does not wait in the timer queue. */
    public void stop() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
