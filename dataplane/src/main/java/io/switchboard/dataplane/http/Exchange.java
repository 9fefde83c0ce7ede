package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.model.HttpOptions;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.routing.VirtualService;

/**
 * One HTTP request through the proxy: its endpoint is chosen for this request alone (so one client
 * connection spreads over all endpoints), the request streams to it and the response streams back,
 * each direction pausing the other side's reads while its writes are backed up. Everything happens
 * on the client's event loop, where the endpoint's connection lives too.
 *
 * <p>The exchange starts and ends the request and routes events between its parts: the request's
 * way to the endpoint ({@link RequestRelay}, its body buffered for a replay by {@link RequestBody}),
 * the tries and their retries on other endpoints ({@link Tries}), the response's way back
 * ({@link ResponseRelay}) and the timers ({@link Deadlines}). It is itself the callback of the whole
 * request's deadline ({@link #run}), so that timer allocates no lambda.
 */
final class Exchange extends Timeouts.Timeout {

    private final HttpContext http;
    private final Downstream down;
    private final VirtualAddress address;
    private final Deadlines deadlines;
    private final RequestBody body = new RequestBody();
    private BackendPool pool;
    private HttpOptions options;
    private ResponseRelay response;
    /** The request's and the tries' parts: null for a request no Service serves, which ends at once. */
    private RequestRelay request;
    private Tries tries;
    private boolean done;
    private long start;
    private Timeouts.Timeout onBodyTimeout;

    Exchange(HttpContext http, Downstream down, VirtualAddress address) {
        this.http = http;
        this.down = down;
        this.address = address;
        this.deadlines = new Deadlines(http.timeouts(), down.eventLoop());
    }

    /** The request head arrived; {@code hasBody} tells whether body content will follow. */
    void onRequestHead(HttpRequest req, boolean hasBody) {
        start = System.nanoTime();
        response = new ResponseRelay(down, req);
        VirtualService vs = http.lookup(address);
        HttpProtocol protocol = vs == null ? null : HttpProtocol.of(vs.port().appProtocol());
        if (protocol == null) {
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no HTTP service on this address\n");
            return;
        }
        pool = vs.pool();
        options = pool.options().http();
        pool.stats().requests().started();
        request = new RequestRelay(down, req, hasBody, body, protocol.http2Upstream(), address);
        if (HttpMethod.CONNECT.equals(req.method())) {
            refuseConnect();
            return;
        }
        // Made once the head is as forwarded: a hash key names one of its headers.
        tries = new Tries(this, http.upstreams(), pool,
                new EndpointChoice(pool, req, down.client(), address, http.state().affinity()),
                protocol.http2Upstream(), request, body, response, deadlines);
        deadlines.startRequest(options.requestTimeout().toNanos(), req.headers().get("grpc-timeout"), this);
        if (!body.complete()) {
            deadlines.awaitBody(options.bodyTimeout().toNanos(), bodyTimeout());
        }
        if (request.readyToStart()) {
            tries.next();
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
        response.closeAfter();
        fail(HttpResponseStatus.METHOD_NOT_ALLOWED,
                "CONNECT is not supported: requests go to the Service's endpoints, no tunnel is opened\n");
    }

    /** Starts the first try once nothing holds it back any more. */
    private void startWhenReady() {
        if (!done && request.readyToStart() && tries.notStarted()) {
            tries.next();
        }
    }

    /** Part of the request body arrived. Ownership passes to the exchange. */
    void onRequestContent(HttpContent c) {
        if (done || body.isRedundantLast(c)) {
            ReferenceCountUtil.release(c);
            return;
        }
        request.onContent(c, tries.upstream(), response.started());
        if (body.complete()) {
            deadlines.bodyDone();
        } else {
            deadlines.awaitBody(options.bodyTimeout().toNanos(), bodyTimeout());
        }
        startWhenReady();
    }

    /** The client's reads of this batch are done: start a deferred try, send what was written. */
    void flushUpstream() {
        // A finished exchange has no try left to start or flush.
        if (done) {
            return;
        }
        if (request.readBatchEnded()) {
            startWhenReady();
        }
        UpstreamStream upstream = tries.upstream();
        if (upstream != null) {
            upstream.flush();
        }
    }

    /** The client can take more: resume reading the endpoint. */
    void downstreamWritable() {
        UpstreamStream upstream = done ? null : tries.upstream();
        if (upstream != null) {
            upstream.setReadable(true);
        }
    }

    /** The endpoint can take more: resume reading the client. */
    void upstreamWritable() {
        down.setReadable(true);
    }

    /** A response object from the endpoint. Ownership passes to the exchange. */
    void onResponse(HttpObject msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (response.swallowEmptyLast(msg)) {
            return;
        }
        UpstreamStream upstream = tries.upstream();
        if (msg instanceof HttpResponse r && !response.started()) {
            int code = r.status().code();
            if (ResponseRelay.isInterim(code)) {
                if (!response.relayInterim(r, upstream)) {
                    upstreamFailed(true);
                }
                return;
            }
            response.began(code);
            deadlines.cancelTry();
            body.dropReplay();
            if (code == 101 && request.upgradeRequested()) {
                switchProtocols(r);
            } else if (response.relayHead(r, upstream, tries.stickyCookie())) {
                finish(true);
            }
            return;
        }
        if (msg instanceof HttpContent c) {
            if (response.relayContent(c, upstream)) {
                finish(true);
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    /** The endpoint's reads of this batch are done. */
    void flushDownstream() {
        response.flush(tries.upstream());
    }

    private void switchProtocols(HttpResponse r) {
        down.write(r);
        down.flush();
        Channel upstreamChannel = tries.detach();
        pool.stats().requests().finished(101, System.nanoTime() - start);
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
        if (!done) {
            tries.failed(malformed);
        }
    }

    /** The whole request's deadline (the Service's, or a shorter {@code grpc-timeout}) passed. */
    @Override
    public void run() {
        if (done) {
            return;
        }
        // Not the endpoint's fault as far as the proxy knows (a client's grpc-timeout may be the
        // deadline): the try ends unblamed, but ends, so the endpoint's requests in flight drop again.
        tries.abandon();
        fail(RetryPolicy.TIMED_OUT.status(), RetryPolicy.TIMED_OUT.text());
    }

    /** The body's timeout, made once per exchange with a body and only then. */
    private Timeouts.Timeout bodyTimeout() {
        if (onBodyTimeout == null) {
            onBodyTimeout = Timeouts.of(this::bodyTimedOut);
        }
        return onBodyTimeout;
    }

    /** The client paused its request body longer than the Service allows. */
    private void bodyTimedOut() {
        if (done || body.complete()) {
            return;
        }
        tries.abandon();
        fail(HttpResponseStatus.REQUEST_TIMEOUT, "the request body stopped arriving\n");
    }

    /**
     * Ends the exchange without an endpoint's response: the client is answered with {@code st} and
     * {@code text} of ours, or, when a response already began, its connection or stream is aborted.
     */
    void fail(HttpResponseStatus st, String text) {
        if (done) {
            return;
        }
        if (response.started()) {
            finishStats(0);
            done = true;
            deadlines.cancelAll();
            body.release();
            down.abort();
        } else {
            response.answer(st, text, body.complete(), http.state().draining());
            finish(false);
        }
    }

    private void finish(boolean fromEndpoint) {
        if (done) {
            return;
        }
        done = true;
        deadlines.cancelAll();
        int status = response.status();
        if (tries != null) {
            tries.finish(status, fromEndpoint && body.complete() && response.upstreamReusable());
        }
        finishStats(status);
        body.release();
        down.exchangeDone(this, response.keepAlive() && body.complete());
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
        if (tries != null) {
            tries.abandon();
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
