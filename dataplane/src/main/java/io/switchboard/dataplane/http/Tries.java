package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.cookie.Cookie;
import io.switchboard.model.HttpOptions;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import java.util.function.Consumer;

/**
 * The tries of one {@link Exchange}: each takes the next endpoint ({@link EndpointChoice}), gets a
 * connection or stream to it and sends the request on it ({@link RequestRelay}). When connecting fails,
 * the endpoint fails before a response began, or the try outlives its timeout, the request goes to
 * another endpoint if {@link RetryPolicy} and the Service's retry budget allow; otherwise the
 * exchange ends with the policy's status. Each try's outcome counts for its endpoint (requests in
 * flight, latency, outlier ejection).
 *
 * <p>It is itself the callback of a connection or stream becoming ready ({@link #accept}) and of
 * the try's deadline ({@link #run}), so neither allocates a lambda per try. Used on the exchange's
 * event loop only.
 */
final class Tries extends Timeouts.Timeout implements Consumer<UpstreamStream> {

    private final Exchange exchange;
    private final UpstreamPools upstreams;
    private final BackendPool pool;
    private final HttpOptions options;
    private final EndpointChoice endpoints;
    private final boolean http2Upstream;
    private final RequestRelay request;
    private final RequestBody body;
    private final ResponseRelay response;
    private final Deadlines deadlines;
    /** The current try's path to its endpoint, null between tries. */
    private UpstreamStream upstream;
    private long tryStart;
    /** Whether the last failed try failed by its timeout (then running out of endpoints is a 504). */
    private boolean lastTryTimedOut;

    /**
     * The tries of {@code exchange} over {@code endpoints} of {@code pool}; a request earns its share
     * of the Service's retry budget here.
     *
     * @param http2Upstream whether endpoints are reached over HTTP/2 streams rather than HTTP/1.1 connections
     * @param request       the request, sent on each try; its method decides whether a try that reached
     *                      its endpoint may be retried
     * @param body          its body, retried only while it can be replayed
     */
    Tries(Exchange exchange, UpstreamPools upstreams, BackendPool pool, EndpointChoice endpoints,
          boolean http2Upstream, RequestRelay request, RequestBody body, ResponseRelay response, Deadlines deadlines) {
        this.exchange = exchange;
        this.upstreams = upstreams;
        this.pool = pool;
        this.options = pool.options().http();
        this.endpoints = endpoints;
        this.http2Upstream = http2Upstream;
        this.request = request;
        this.body = body;
        this.response = response;
        this.deadlines = deadlines;
        pool.stats().retryBudget().deposit(options.retryBudgetPercent());
    }

    /** The current try's path to its endpoint, or null. */
    UpstreamStream upstream() {
        return upstream;
    }

    /** Whether no try has begun yet. */
    boolean notStarted() {
        return upstream == null && endpoints.tries() == 0;
    }

    /** The cookie that names the endpoint for the client's next requests, or null when none is due. */
    Cookie stickyCookie() {
        Backend sticky = endpoints.sticky();
        return sticky == null ? null : StickyChoice.cookieFor(options.stickyCookie(), sticky);
    }

    /** Starts the next try, or ends the exchange when no endpoint is left to try. */
    void next() {
        Backend b = endpoints.next();
        if (b == null) {
            RetryPolicy.Answer none = RetryPolicy.noEndpointLeft(endpoints.tries(), saturated(), lastTryTimedOut);
            exchange.fail(none.status(), none.text());
            return;
        }
        response.newTry();
        tryStart = System.nanoTime();
        upstreams.acquire(b, http2Upstream, pool.options().connectTimeout(), this, cause -> connectFailed(b));
    }

    private boolean saturated() {
        return options.maxRequestsPerEndpoint() > 0 && !pool.backends().isEmpty();
    }

    private void connectFailed(Backend b) {
        if (exchange.isDone()) {
            return;
        }
        lastTryTimedOut = false;
        b.connectFailed(pool.options().downBackoff().toNanos());
        pool.stats().connectFailed();
        countFailure(b);
        // Nothing was sent: any method may go elsewhere.
        if (retried(true)) {
            next();
        } else {
            exchange.fail(HttpResponseStatus.BAD_GATEWAY, "cannot connect to an endpoint\n");
        }
    }

    /** The try's connection or stream is ready: the request goes out on it. */
    @Override
    public void accept(UpstreamStream s) {
        if (exchange.isDone()) {
            // The client left while the connection was made: nothing was sent on it, so it can serve others.
            s.release(true);
            return;
        }
        upstream = s;
        s.bind(exchange);
        s.backend().requests().started();
        deadlines.startTry(options.tryTimeout().toNanos(), this);
        request.send(s);
    }

    /**
     * The endpoint's connection or stream failed before the exchange finished: reset, closed, or its
     * response was malformed ({@code malformed}).
     */
    void failed(boolean malformed) {
        lastTryTimedOut = false;
        if (upstream != null) {
            endFailed();
        }
        deadlines.cancelTry();
        response.dropHeldHead();
        if (!response.started() && retried(false)) {
            next();
        } else {
            exchange.fail(HttpResponseStatus.BAD_GATEWAY, malformed ? "malformed response from the endpoint\n"
                    : "the endpoint closed the connection\n");
        }
    }

    /** The try's deadline passed before its response began. */
    @Override
    public void run() {
        if (exchange.isDone() || response.started()) {
            return;
        }
        if (upstream != null) {
            endFailed();
            lastTryTimedOut = true;
            if (retried(false)) {
                next();
                return;
            }
        }
        exchange.fail(RetryPolicy.TIMED_OUT.status(), RetryPolicy.TIMED_OUT.text());
    }

    /**
     * Whether the request goes to another endpoint (then counted as a retry): the policy's rule, then
     * the retry budget, which is spent by asking.
     */
    private boolean retried(boolean nothingSent) {
        if (RetryPolicy.mayRetry(endpoints.tries(), options.retries(), request.method(), nothingSent, body.replayable(),
                response.started()) && pool.stats().retryBudget().tryWithdraw(options.retryMinPerSecond())) {
            pool.stats().retried();
            return true;
        }
        return false;
    }

    /** The current try failed: it ends without a response and counts towards its endpoint's ejection. */
    private void endFailed() {
        Backend b = upstream.backend();
        abandon();
        countFailure(b);
    }

    /** Ends the current try, if any, without a response and without blaming its endpoint. */
    void abandon() {
        if (upstream != null) {
            upstream.backend().requests().finished(0, System.nanoTime() - tryStart);
            upstream.release(false);
            upstream = null;
        }
    }

    /**
     * The exchange ended with the current try's response ({@code status}, 0 for none): counted for its
     * endpoint (a 5xx as a failure), and its connection pooled again when {@code reusable}.
     */
    void finish(int status, boolean reusable) {
        if (upstream == null) {
            return;
        }
        long nanos = System.nanoTime() - tryStart;
        Backend b = upstream.backend();
        b.requests().finished(status, nanos);
        b.observeLatency(nanos);
        if (status >= 500) {
            countFailure(b);
        } else {
            b.requestSucceeded();
        }
        upstream.release(reusable);
        upstream = null;
    }

    /** The endpoint switched protocols (101): the try succeeded and its connection leaves the pool for a tunnel. */
    Channel detach() {
        Channel ch = upstream.detach();
        Backend b = upstream.backend();
        upstream = null;
        b.requests().finished(101, System.nanoTime() - tryStart);
        b.requestSucceeded();
        return ch;
    }

    /** A failed try (or 5xx) counts towards the endpoint's outlier ejection. */
    private void countFailure(Backend b) {
        if (b.requestFailed(options.outlierConsecutiveErrors(), options.outlierBaseEjection().toNanos())) {
            pool.stats().ejected();
        }
    }
}
