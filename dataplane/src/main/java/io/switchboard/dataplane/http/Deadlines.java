package io.switchboard.dataplane.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timers of one exchange, on its event loop: the whole request's deadline, the current try's,
 * and the request body's idle time (how long the client may pause between body parts). Each runs
 * its action once unless cancelled first; a try's timer is replaced by the next try's.
 */
final class Deadlines {

    private final EventLoop loop;
    private ScheduledFuture<?> request;
    private ScheduledFuture<?> attempt;
    private ScheduledFuture<?> body;

    Deadlines(EventLoop loop) {
        this.loop = loop;
    }

    /** Starts the whole request's deadline, unless {@code nanos} is 0 (none). */
    void startRequest(long nanos, Runnable onExpiry) {
        if (nanos > 0) {
            request = loop.schedule(onExpiry, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Starts the current try's deadline, unless {@code nanos} is 0 (none). */
    void startTry(long nanos, Runnable onExpiry) {
        cancelTry();
        if (nanos > 0) {
            attempt = loop.schedule(onExpiry, nanos, TimeUnit.NANOSECONDS);
        }
    }

    void cancelTry() {
        attempt = cancel(attempt);
    }

    /**
     * Starts (or starts again, after a body part arrived) the wait for the next body part, unless
     * {@code nanos} is 0 (no limit).
     */
    void awaitBody(long nanos, Runnable onExpiry) {
        body = cancel(body);
        if (nanos > 0) {
            body = loop.schedule(onExpiry, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The body is complete (or will not be read): no more waiting for it. */
    void bodyDone() {
        body = cancel(body);
    }

    void cancelAll() {
        cancelTry();
        bodyDone();
        request = cancel(request);
    }

    private static ScheduledFuture<?> cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
        return null;
    }

    /**
     * A request's deadline: the Service's {@code configuredNanos}, or a shorter gRPC deadline from
     * {@code grpcTimeout} (the {@code grpc-timeout} header: digits and a unit, H M S m u n). An
     * invalid header is left to the endpoint to judge. 0 means none.
     */
    static long requestTimeoutNanos(long configuredNanos, String grpcTimeout) {
        if (grpcTimeout == null || grpcTimeout.length() < 2 || grpcTimeout.length() > 9) {
            return configuredNanos;
        }
        long v;
        try {
            v = Long.parseLong(grpcTimeout.substring(0, grpcTimeout.length() - 1));
        } catch (NumberFormatException e) {
            return configuredNanos;
        }
        long nanos = switch (grpcTimeout.charAt(grpcTimeout.length() - 1)) {
            case 'H' -> TimeUnit.HOURS.toNanos(v);
            case 'M' -> TimeUnit.MINUTES.toNanos(v);
            case 'S' -> TimeUnit.SECONDS.toNanos(v);
            case 'm' -> TimeUnit.MILLISECONDS.toNanos(v);
            case 'u' -> TimeUnit.MICROSECONDS.toNanos(v);
            case 'n' -> v;
            default -> 0;
        };
        return nanos > 0 && (configuredNanos == 0 || nanos < configuredNanos) ? nanos : configuredNanos;
    }
}
