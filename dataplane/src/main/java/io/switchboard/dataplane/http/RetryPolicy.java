package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;

/**
 * Whether a failed try of a request may be tried again on another endpoint. The rule: tries remain
 * ({@code retries} beyond the first), no byte of a response reached the client, the body sent so far
 * can be sent again, and either nothing reached the endpoint (a failed connect) or the method is
 * idempotent (RFC 9110 section 9.2.2), so the endpoint may have acted on it without harm. The
 * Service's retry budget is asked after this, by the caller, as it is spent by asking.
 */
final class RetryPolicy {

    /** RFC 9110's idempotent methods (PATCH and POST are not). */
    static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

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
}
