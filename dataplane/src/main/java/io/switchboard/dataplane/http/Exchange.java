package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.model.HostPort;
import io.switchboard.model.HttpOptions;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.routing.VirtualService;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP request through the proxy: its endpoint is chosen for this request alone (so one client
 * connection spreads over all endpoints), the request streams to it and the response streams back,
 * each direction pausing the other side's reads while its writes are backed up.
 *
 * <p>A request is retried on another endpoint when connecting fails, or, for idempotent methods,
 * when the endpoint fails before any response byte arrives, as long as retries and the Service's
 * retry budget allow and the body sent so far (up to {@value RequestBody#REPLAY_LIMIT} bytes) can be
 * replayed ({@link RetryPolicy}). Per-try and whole-request timeouts answer 504 ({@link Deadlines}).
 * Failures and 5xx count towards outlier ejection. Everything happens on the client's event loop,
 * where the endpoint's connection lives too. The body's buffering is {@link RequestBody}'s job, the
 * choice of endpoint by key or cookie {@link StickyChoice}'s.
 */
final class Exchange {

    /** Interim (1xx) responses an endpoint may send before its final one; more is a malformed response. */
    static final int MAX_INTERIM = 8;

    private final HttpContext http;
    private final Downstream down;
    private final VirtualAddress address;
    private final Deadlines deadlines;
    private final RequestBody body = new RequestBody();
    private HttpRequest request;
    private boolean requestHasBody;
    private boolean upgradeRequested;
    private HttpProtocol protocol;
    private BackendPool pool;
    private HttpOptions options;
    private int interims;
    /** Whether the last failed try failed by its timeout (then running out of endpoints is a 504). */
    private boolean lastTryTimedOut;
    private EndpointChoice endpoints;
    private UpstreamStream upstream;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean keepAlive = true;
    private boolean done;
    private int status;
    private long start;
    private long tryStart;
    /** False once the endpoint said it closes its connection after this response. */
    private boolean upstreamReusable = true;
    /** An HTTP/1.1 endpoint's 1xx is decoded with an empty last part that must not reach the client. */
    private boolean swallowNextEmptyLast;
    /** The first try waits: for the end of the client's read batch, or for the body. */
    private boolean startDeferred;
    private boolean awaitingBody;
    /**
     * An endpoint's response head held until the end of its read batch or its first body part, so
     * a body that is malformed at once (a bad chunk size) still gets a 502 rather than a cut
     * connection; null once relayed.
     */
    private HttpResponse heldHead;
    private boolean heldHasBody;

    Exchange(HttpContext http, Downstream down, VirtualAddress address) {
        this.http = http;
        this.down = down;
        this.address = address;
        this.deadlines = new Deadlines(down.eventLoop());
    }

    /** The request head arrived; {@code hasBody} tells whether body content will follow. */
    void onRequestHead(HttpRequest req, boolean hasBody) {
        start = System.nanoTime();
        request = req;
        requestHasBody = hasBody;
        keepAlive = HttpUtil.isKeepAlive(req) || down.isHttp2();
        upgradeRequested = !down.isHttp2() && HeaderRules.isUpgrade(req);
        VirtualService vs = http.lookup(address);
        protocol = vs == null ? null : HttpProtocol.of(vs.port().appProtocol());
        if (protocol == null) {
            respond(HttpResponseStatus.SERVICE_UNAVAILABLE, "no HTTP service on this address\n");
            return;
        }
        pool = vs.pool();
        options = pool.options().http();
        pool.stats().requests().started();
        pool.stats().retryBudget().deposit(options.retryBudgetPercent());
        if (!hasBody) {
            // No body will follow (the decoder still emits an empty last part, ignored below).
            body.markComplete();
        }
        if (req instanceof FullHttpMessage full) {
            // An HTTP/2 request without body (or a complete one): keep its content as the whole body.
            // The head is used on; only its content is reference-counted, so it is released here.
            if (full.content().isReadable()) {
                body.hold(new DefaultLastHttpContent(full.content().retain()));
            }
            full.release();
            body.markComplete();
        }
        if (HttpMethod.CONNECT.equals(req.method())) {
            refuseConnect();
            return;
        }
        HeaderRules.stripHopByHop(req.headers(), upgradeRequested, protocol.http2Upstream());
        HeaderRules.addForwarded(req.headers(), down.forwarding());
        if (!req.headers().contains(HttpHeaderNames.HOST)) {
            req.headers().set(HttpHeaderNames.HOST, HostPort.of(address.address(), address.port()));
        }
        endpoints = new EndpointChoice(pool, req, down.client(), address, http.state().affinity());
        deadlines.startRequest(Deadlines.requestTimeoutNanos(options.requestTimeout().toNanos(),
                req.headers().get("grpc-timeout")), () -> timedOut(false));
        if (!body.complete()) {
            deadlines.awaitBody(options.bodyTimeout().toNanos(), this::bodyTimedOut);
        }
        // An endpoint connection is the scarce resource a request holds: an HTTP/1.1 one is not taken
        // for a body that has not arrived (up to the pending limit), as nginx buffers request bodies,
        // so clients that never send theirs hold none. Streaming upstreams (HTTP/2, gRPC) take a
        // stream, not a connection, and must stream (bidirectional calls).
        awaitingBody = !body.complete() && !protocol.http2Upstream() && !upgradeRequested
                && !HttpUtil.is100ContinueExpected(req);
        // An HTTP/2 stream starts at the end of the client's read batch, so one reset in the same
        // batch (rapid reset) costs no endpoint connection.
        startDeferred = down.isHttp2();
        if (!awaitingBody && !startDeferred) {
            attempt();
        }
    }

    /**
     * CONNECT asks for a tunnel to the authority the client names (RFC 9110 section 9.3.6), and an
     * extended CONNECT (RFC 8441, never enabled here: SETTINGS_ENABLE_CONNECT_PROTOCOL is not sent)
     * for a tunnel in a stream. A Service's endpoints are application servers, not forward proxies,
     * so the proxy answers it itself, 405 as nginx answers CONNECT, counted with the Service's other
     * requests. Over HTTP/1.1 the connection then closes: what a client sends after a CONNECT head is
     * meant for the tunnel (often a TLS handshake sent at once), not another request to parse.
     */
    private void refuseConnect() {
        if (!down.isHttp2()) {
            keepAlive = false;
        }
        respond(HttpResponseStatus.METHOD_NOT_ALLOWED,
                "CONNECT is not supported: requests go to the Service's endpoints, no tunnel is opened\n");
    }

    /** Starts the first try once nothing holds it back any more. */
    private void startWhenReady() {
        if (!done && upstream == null && endpoints.tries() == 0 && !awaitingBody && !startDeferred) {
            attempt();
        }
    }

    /** The client paused its request body longer than the Service allows. */
    private void bodyTimedOut() {
        if (done || body.complete()) {
            return;
        }
        if (upstream != null) {
            Backend b = upstream.backend();
            b.requests().finished(0, System.nanoTime() - tryStart);
            upstream.release(false);
            upstream = null;
        }
        if (responseStarted) {
            abortResponse();
        } else {
            respond(HttpResponseStatus.REQUEST_TIMEOUT, "the request body stopped arriving\n");
        }
    }

    /** Part of the request body arrived. Ownership passes to the exchange. */
    void onRequestContent(HttpContent c) {
        if (done || body.isRedundantLast(c)) {
            ReferenceCountUtil.release(c);
            return;
        }
        if (upstream != null) {
            body.passing(c, responseStarted);
            upstream.write(c);
            if (!upstream.isWritable()) {
                down.setReadable(false);
            }
        } else if (body.hold(c)) {
            down.setReadable(false);
            awaitingBody = false;
        }
        if (body.complete()) {
            deadlines.bodyDone();
            awaitingBody = false;
        } else {
            deadlines.awaitBody(options.bodyTimeout().toNanos(), this::bodyTimedOut);
        }
        startWhenReady();
    }

    /** The client's reads of this batch are done: start a deferred try, send what was written. */
    void flushUpstream() {
        if (startDeferred) {
            startDeferred = false;
            startWhenReady();
        }
        if (upstream != null) {
            upstream.flush();
        }
    }

    /** The client can take more: resume reading the endpoint. */
    void downstreamWritable() {
        if (upstream != null) {
            upstream.setReadable(true);
        }
    }

    /** The endpoint can take more: resume reading the client. */
    void upstreamWritable() {
        down.setReadable(true);
    }

    private void attempt() {
        Backend b = endpoints.next();
        if (b == null) {
            if (endpoints.tries() == 0) {
                boolean saturated = options.maxRequestsPerEndpoint() > 0 && !pool.backends().isEmpty();
                respond(HttpResponseStatus.SERVICE_UNAVAILABLE, saturated
                        ? "every endpoint is at its request limit\n" : "no endpoint available\n");
            } else if (lastTryTimedOut) {
                // Every endpoint left to try failed or timed out, the last one by timing out: as for a
                // request that may not be retried, that is a gateway timeout.
                respond(HttpResponseStatus.GATEWAY_TIMEOUT, "the endpoint did not answer in time\n");
            } else {
                respond(HttpResponseStatus.BAD_GATEWAY, "no endpoint could take the request\n");
            }
            return;
        }
        interims = 0;
        tryStart = System.nanoTime();
        http.upstreams().acquire(b, protocol.http2Upstream(),
                pool.options().connectTimeout(), this::attached, cause -> connectFailed(b));
    }

    private void connectFailed(Backend b) {
        if (done) {
            return;
        }
        lastTryTimedOut = false;
        b.connectFailed(pool.options().downBackoff().toNanos());
        pool.stats().connectFailed();
        countFailure(b);
        // Nothing was sent: any method may go elsewhere.
        if (retryAllowed(true)) {
            pool.stats().retried();
            attempt();
        } else {
            respond(HttpResponseStatus.BAD_GATEWAY, "cannot connect to an endpoint\n");
        }
    }

    private void attached(UpstreamStream s) {
        if (done) {
            // The client left while the connection was made: nothing was sent on it, so it can serve others.
            s.release(true);
            return;
        }
        upstream = s;
        s.bind(this);
        s.backend().requests().started();
        deadlines.startTry(options.tryTimeout().toNanos(), () -> timedOut(true));
        // The headers are shared, not copied: encoding happens within write, and framing is the same
        // on every try, so a retry can send them again.
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
                request.headers());
        if (!protocol.http2Upstream()) {
            HeaderRules.frameForHttp1(head, requestHasBody, true);
        }
        s.write(head);
        body.sendTo(s);
        s.flush();
        if (!body.complete()) {
            down.setReadable(s.isWritable());
        }
    }

    /** A response object from the endpoint. Ownership passes to the exchange. */
    void onResponse(HttpObject msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r && !responseStarted) {
            int code = r.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                // Interim (100 Continue, 103 Early Hints): pass on, the final response follows.
                relayInterim(r);
                return;
            }
            responseStarted = true;
            status = code;
            deadlines.cancelTry();
            body.dropReplay();
            if (code == 101 && upgradeRequested && !down.isHttp2()) {
                switchProtocols(r);
                return;
            }
            boolean upstreamKeepAlive = HttpUtil.isKeepAlive(r) || upstream instanceof Http2Upstream;
            boolean responseHasBody = !(r instanceof FullHttpMessage f && !f.content().isReadable()
                    && f.trailingHeaders().isEmpty()) && request.method() != HttpMethod.HEAD
                    && code != 204 && code != 304;
            HeaderRules.stripHopByHop(r.headers(), false, false);
            if (!upstreamKeepAlive) {
                upstreamReusable = false;
            }
            if (endpoints.sticky() != null) {
                r.headers().add(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(
                        StickyChoice.cookieFor(options.stickyCookie(), endpoints.sticky())));
            }
            if (!down.isHttp2() && r instanceof FullHttpResponse full) {
                // Written as head plus last part, so HTTP/1 framing applies to the head.
                keepAlive = down.writeResponseHead(Http1Framing.headOf(full), responseHasBody, keepAlive,
                        request.protocolVersion());
                LastHttpContent rest = new DefaultLastHttpContent(full.content().retain(), full.trailingHeaders());
                full.release();
                relayContent(rest);
                return;
            }
            if (r instanceof LastHttpContent) {
                keepAlive = down.writeResponseHead(r, responseHasBody, keepAlive, request.protocolVersion());
                complete();
                return;
            }
            heldHead = r;
            heldHasBody = responseHasBody;
            return;
        }
        if (msg instanceof HttpContent c) {
            relayContent(c);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void relayContent(HttpContent c) {
        if (!responseStarted) {
            ReferenceCountUtil.release(c);
            return;
        }
        relayHeldHead();
        if (c instanceof LastHttpContent last) {
            down.writeLast(last);
            complete();
            return;
        }
        down.write(c);
        if (!down.isWritable()) {
            upstream.setReadable(false);
        }
    }

    private void relayInterim(HttpResponse r) {
        if (++interims > MAX_INTERIM) {
            // An endpoint streaming 1xx without end would grow the client's buffer for ever.
            ReferenceCountUtil.release(r);
            upstreamFailed(true);
            return;
        }
        down.writeInterim(r);
        ReferenceCountUtil.release(r);
        down.flush();
        if (!down.isWritable() && upstream != null) {
            // Interim responses wait for the client like any other bytes.
            upstream.setReadable(false);
        }
        // A 1xx response decoded from HTTP/1.1 is followed by an empty last part, which is swallowed here.
        swallowNextEmptyLast = !(upstream instanceof Http2Upstream);
    }

    /** The endpoint's reads of this batch are done. */
    void flushDownstream() {
        if (relayHeldHead() && !down.isWritable() && upstream != null) {
            upstream.setReadable(false);
        }
        down.flush();
    }

    /** Writes the held response head, if any; true when it did. */
    private boolean relayHeldHead() {
        HttpResponse head = heldHead;
        if (head == null) {
            return false;
        }
        heldHead = null;
        keepAlive = down.writeResponseHead(head, heldHasBody, keepAlive, request.protocolVersion());
        return true;
    }

    private void complete() {
        responseComplete = true;
        down.flush();
        finish(true);
    }

    /** Whether an empty last part after a 1xx should be dropped; consumed once. */
    boolean swallowEmptyLast(HttpObject msg) {
        if (swallowNextEmptyLast && msg instanceof LastHttpContent l && !l.content().isReadable()
                && l.trailingHeaders().isEmpty() && !responseStarted) {
            swallowNextEmptyLast = false;
            ReferenceCountUtil.release(msg);
            return true;
        }
        return false;
    }

    private void switchProtocols(HttpResponse r) {
        down.write(r);
        down.flush();
        Channel upstreamChannel = upstream.detach();
        Backend b = upstream.backend();
        upstream = null;
        b.requests().finished(101, System.nanoTime() - tryStart);
        pool.stats().requests().finished(101, System.nanoTime() - start);
        b.requestSucceeded();
        done = true;
        deadlines.cancelAll();
        body.release();
        down.tunnel(upstreamChannel, pool.options().idleTimeout().toNanos());
    }

    /**
     * The endpoint's connection or stream failed before the exchange finished: reset, closed, or its
     * response was malformed ({@code malformed}).
     */
    void upstreamFailed(boolean malformed) {
        if (done) {
            return;
        }
        lastTryTimedOut = false;
        UpstreamStream failed = upstream;
        Backend b = failed == null ? null : failed.backend();
        upstream = null;
        if (failed != null) {
            failed.release(false);
            b.requests().finished(0, System.nanoTime() - tryStart);
            countFailure(b);
        }
        deadlines.cancelTry();
        if (heldHead != null) {
            // Nothing reached the client yet: it gets a status of ours, as if no head had come.
            ReferenceCountUtil.release(heldHead);
            heldHead = null;
            responseStarted = false;
        }
        if (responseStarted) {
            abortResponse();
            return;
        }
        if (retryAllowed(false)) {
            pool.stats().retried();
            attempt();
        } else {
            respond(HttpResponseStatus.BAD_GATEWAY, malformed ? "malformed response from the endpoint\n"
                    : "the endpoint closed the connection\n");
        }
    }

    private void timedOut(boolean perTry) {
        if (done || (perTry && responseStarted)) {
            return;
        }
        if (perTry && upstream != null) {
            Backend b = upstream.backend();
            UpstreamStream s = upstream;
            upstream = null;
            s.release(false);
            b.requests().finished(0, System.nanoTime() - tryStart);
            countFailure(b);
            lastTryTimedOut = true;
            if (retryAllowed(false)) {
                pool.stats().retried();
                attempt();
                return;
            }
        }
        if (upstream != null) {
            upstream.release(false);
            upstream = null;
        }
        if (responseStarted) {
            abortResponse();
            return;
        }
        respond(HttpResponseStatus.GATEWAY_TIMEOUT, "the endpoint did not answer in time\n");
    }

    /** Whether the request may go to another endpoint: the policy's rule, then the retry budget. */
    private boolean retryAllowed(boolean nothingSent) {
        return RetryPolicy.mayRetry(endpoints.tries(), options.retries(), request.method(), nothingSent, body.replayable(),
                responseStarted) && pool.stats().retryBudget().tryWithdraw(options.retryMinPerSecond());
    }

    /** A response began but cannot be completed: the client's connection or stream is aborted. */
    private void abortResponse() {
        finishStats(0);
        done = true;
        deadlines.cancelAll();
        body.release();
        down.abort();
    }

    /** Answers the client with an error of our own (nothing from an endpoint was sent). */
    private void respond(HttpResponseStatus st, String text) {
        if (done) {
            return;
        }
        status = st.code();
        if (down.isHttp2() && request != null && GrpcErrors.isGrpc(request)) {
            responseStarted = true;
            down.write(GrpcErrors.trailersOnly(st, text));
            down.flush();
            responseComplete = true;
            finish(false);
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, st);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (!body.complete() && !down.isHttp2()) {
            // The rest of the body will not be read: the connection cannot carry another request.
            keepAlive = false;
        }
        if (http.state().draining() && !down.isHttp2()) {
            keepAlive = false;
        }
        if (!keepAlive && !down.isHttp2()) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        responseStarted = true;
        down.write(head);
        down.write(new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
        down.flush();
        responseComplete = true;
        finish(false);
    }

    private void finish(boolean fromEndpoint) {
        if (done) {
            return;
        }
        done = true;
        deadlines.cancelAll();
        long now = System.nanoTime();
        if (upstream != null) {
            Backend b = upstream.backend();
            b.requests().finished(status, now - tryStart);
            b.observeLatency(now - tryStart);
            if (status >= 500) {
                countFailure(b);
            } else {
                b.requestSucceeded();
            }
            upstream.release(fromEndpoint && body.complete() && responseComplete && upstreamReusable);
            upstream = null;
        }
        finishStats(status);
        body.release();
        down.exchangeDone(this, keepAlive && body.complete());
    }

    /** A failed try (or 5xx) counts towards the endpoint's outlier ejection. */
    private void countFailure(Backend b) {
        if (b.requestFailed(options.outlierConsecutiveErrors(), options.outlierBaseEjection().toNanos())) {
            pool.stats().ejected();
        }
    }

    private void finishStats(int code) {
        if (pool != null) {
            pool.stats().requests().finished(code, System.nanoTime() - start);
        }
    }

    /** The client went away (connection closed or stream reset) before the exchange finished. */
    void clientGone() {
        if (done) {
            return;
        }
        done = true;
        deadlines.cancelAll();
        if (upstream != null) {
            upstream.backend().requests().finished(0, System.nanoTime() - tryStart);
            upstream.release(false);
            upstream = null;
        }
        finishStats(0);
        body.release();
    }

    boolean isDone() {
        return done;
    }

    boolean requestComplete() {
        return body.complete();
    }
}
