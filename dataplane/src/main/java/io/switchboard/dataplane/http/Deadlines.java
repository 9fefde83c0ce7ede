package io.switchboard.dataplane.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timers of one exchange, on its event loop: the whole request's deadline, the current try's,
 * and the request body's idle time (how long the client may pause between body parts). Each runs
 * its action once unless cancelled first; a try's timer is replaced by the next try's. They are the
 * loop's {@link Timeouts}, which cost no scheduled task per request, except a request deadline that
 * a client shortened with its own {@code grpc-timeout}, whose duration is the client's.
 */
final class Deadlines {

    private final Timeouts timeouts;
    private final EventLoop loop;
    private Timeouts.Timeout request;
    /** A request deadline of the client's own (a shorter {@code grpc-timeout}): its duration is not a lane's. */
    private ScheduledFuture<?> clientRequest;
    private Timeouts.Timeout attempt;
    private Timeouts.Timeout body;

    /** Deadlines kept in {@code timeouts}, and a client's own request deadline scheduled on {@code loop}. */
    Deadlines(Timeouts timeouts, EventLoop loop) {
        this.timeouts = timeouts;
        this.loop = loop;
    }

    /**
     * Starts the whole request's deadline: the Service's {@code configuredNanos}, or a shorter one
     * from {@code grpcTimeout} ({@link #requestTimeoutNanos}); none when that is 0.
     */
    void startRequest(long configuredNanos, String grpcTimeout, Timeouts.Timeout onExpiry) {
        long nanos = requestTimeoutNanos(configuredNanos, grpcTimeout);
        request = onExpiry;
        if (nanos == configuredNanos) {
            timeouts.set(onExpiry, nanos);
        } else if (nanos > 0) {
            clientRequest = loop.schedule(onExpiry, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Starts the current try's deadline, unless {@code nanos} is 0 (none); a try before it is cancelled. */
    void startTry(long nanos, Timeouts.Timeout onExpiry) {
        cancelTry();
        attempt = onExpiry;
        timeouts.set(onExpiry, nanos);
    }

    void cancelTry() {
        if (attempt != null) {
            timeouts.cancel(attempt);
        }
    }

    /**
     * Starts (or starts again, after a body part arrived) the wait for the next body part, unless
     * {@code nanos} is 0 (no limit).
     */
    void awaitBody(long nanos, Timeouts.Timeout onExpiry) {
        body = onExpiry;
        timeouts.set(onExpiry, nanos);
    }

    /** The body is complete (or will not be read): no more waiting for it. */
    void bodyDone() {
        if (body != null) {
            timeouts.cancel(body);
        }
    }

    void cancelAll() {
        cancelTry();
        bodyDone();
        if (request != null) {
            timeouts.cancel(request);
        }
        if (clientRequest != null) {
            clientRequest.cancel(false);
            clientRequest = null;
        }
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
