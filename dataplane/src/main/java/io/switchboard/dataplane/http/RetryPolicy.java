package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Set;

/**
 * Whether a failed try of a request may be tried again on another endpoint. The rule: tries remain
 * ({@code retries} beyond the first), no byte of a response reached the client, the body sent so far
 * can be sent again, and either nothing reached the endpoint (a failed connect) or the method is
 * idempotent (RFC 9110 section 9.2.2), so the endpoint may have acted on it without harm. The
 * Service's retry budget is asked after this, by the caller, as it is spent by asking. When no
 * endpoint is left to try, the status the client gets says why ({@link #noEndpointLeft}).
 */
final class RetryPolicy {

    /** RFC 9110's idempotent methods (PATCH and POST are not). */
    static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    /** What the client is told when the endpoint did not answer in time (the last try's timeout, or the request's). */
    static final Answer TIMED_OUT = new Answer(HttpResponseStatus.GATEWAY_TIMEOUT,
            "the endpoint did not answer in time\n");

    /** A status of the proxy's own and the text said to the client with it. */
    record Answer(HttpResponseStatus status, String text) {
    }

    private RetryPolicy() {
    }

    /**
     * @param tries           tries made so far, the failed one included
     * @param retries         retries allowed after the first try
     * @param method          the request's method
     * @param nothingSent     whether the failed try sent nothing (its connect failed)
     * @param bodyReplayable  whether the body sent so far is kept in full
     * @param responseStarted whether a response began reaching the client
     */
    static boolean mayRetry(int tries, int retries, HttpMethod method, boolean nothingSent, boolean bodyReplayable,
                            boolean responseStarted) {
        if (tries > retries || !bodyReplayable || responseStarted) {
            return false;
        }
        return nothingSent || IDEMPOTENT.contains(method.name());
    }

    /**
     * What the client is told when no endpoint is left after {@code tries}: 503 when there was none
     * to try ({@code saturated}: each was at its request limit), 504 when the last try timed out (as
     * for a request that may not be retried), else 502.
     */
    static Answer noEndpointLeft(int tries, boolean saturated, boolean lastTryTimedOut) {
        if (tries == 0) {
            return new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE, saturated
                    ? "every endpoint is at its request limit\n" : "no endpoint available\n");
        }
        if (lastTryTimedOut) {
            return TIMED_OUT;
        }
        return new Answer(HttpResponseStatus.BAD_GATEWAY, "no endpoint could take the request\n");
    }
}
