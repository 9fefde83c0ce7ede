package io.switchboard.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How an HTTP Service port (one with an L7 {@code appProtocol}) treats requests.
 *
 * @param retries                  how many other endpoints a request may try after a failure
 * @param retryBudgetPercent       each request earns this share of a retry over a 10 s window
 *                                 (Finagle's retry budget; see {@code RetryBudget})
 * @param tryTimeout               how long one try may wait for the response to begin (0: none); an
 *                                 endpoint that accepts and never answers then costs a retry, not a hang
 * @param requestTimeout           how long a whole request may take (0: none; gRPC's grpc-timeout
 *                                 applies too)
 * @param maxRequestsPerEndpoint   requests in flight per endpoint before it takes no more; when all
 *                                 are full the request gets 503 (0: no limit)
 * @param outlierConsecutiveErrors consecutive failures (5xx, resets, timeouts) that eject an endpoint
 * @param outlierBaseEjection      how long a first ejection lasts; it grows with repeated ejections
 * @param hashKey                  what {@code mh} hashes for HTTP: a header, a cookie or the client IP
 * @param stickyCookie             name of the cookie that pins a client to an endpoint, or empty
 * @param retryMinPerSecond        retries always allowed per second beside the earned ones, so a
 *                                 burst of failures on a quiet Service is retried too
 * @param bodyTimeout              how long a client may pause while sending a request body (0: no
 *                                 limit); then 408, and the endpoint's connection or stream is freed
 */
public record HttpOptions(int retries, int retryBudgetPercent, Duration tryTimeout, Duration requestTimeout,
                          int maxRequestsPerEndpoint, int outlierConsecutiveErrors, Duration outlierBaseEjection,
                          HashKey hashKey, String stickyCookie, int retryMinPerSecond, Duration bodyTimeout) {

    /**
     * Defaults: 2 retries within a budget of 20 % of requests plus 10 a second (Finagle's), 30 s
     * for a response to begin, no whole-request limit (streams may last), no per-endpoint limit,
     * ejection after 5 consecutive failures for 30 s, 30 s of silence in a request body (HAProxy's
     * usual {@code timeout client}; nginx's {@code client_body_timeout} is 60 s).
     */
    public static final HttpOptions DEFAULT = new HttpOptions(2, 20, Duration.ofSeconds(30), Duration.ZERO, 0, 5,
            Duration.ofSeconds(30), HashKey.CLIENT_IP, "", 10, Duration.ofSeconds(30));

    public HttpOptions {
        Objects.requireNonNull(tryTimeout, "tryTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(outlierBaseEjection, "outlierBaseEjection");
        Objects.requireNonNull(hashKey, "hashKey");
        Objects.requireNonNull(stickyCookie, "stickyCookie");
        Objects.requireNonNull(bodyTimeout, "bodyTimeout");
    }

    /**
     * What consistent hashing uses for an HTTP request.
     *
     * @param source header, cookie or client IP
     * @param name   the header or cookie name
     */
    public record HashKey(Source source, String name) {

        /** The client's address, as for TCP. */
        public static final HashKey CLIENT_IP = new HashKey(Source.CLIENT_IP, "");

        /** Where the key comes from. */
        public enum Source {
            HEADER, COOKIE, CLIENT_IP
        }
    }
}
