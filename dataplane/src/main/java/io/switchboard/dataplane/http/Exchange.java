package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
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
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.model.HttpOptions;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.VirtualAddress;
import io.switchboard.routing.VirtualService;
import io.switchboard.scheduler.PickContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP request through the proxy: its endpoint is chosen for this request alone (so one client
 * connection spreads over all endpoints), the request streams to it and the response streams back,
 * each direction pausing the other side's reads while its writes are backed up.
 *
 * <p>A request is retried on another endpoint when connecting fails, or, for idempotent methods,
 * when the endpoint fails before any response byte arrives, as long as retries and the Service's
 * retry budget allow and the body sent so far (up to {@value #REPLAY_LIMIT} bytes) can be replayed.
 * Per-try and whole-request timeouts answer 504. Failures and 5xx count towards outlier ejection.
 * Everything happens on the client's event loop, where the endpoint's connection lives too.
 */
final class Exchange {

    /** Bytes of request body kept for a retry; a longer body streams once and is not retried. */
    static final int REPLAY_LIMIT = 64 * 1024;
    /** Body bytes held while no endpoint is connected yet, before the client stops being read. */
    static final int PENDING_LIMIT = REPLAY_LIMIT;
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    private final HttpContext http;
    private final Downstream down;
    private final VirtualAddress address;
    private HttpRequest request;
    private boolean requestHasBody;
    private boolean upgradeRequested;
    private VirtualService vs;
    private HttpProtocol protocol;
    private BackendPool pool;
    private HttpOptions options;
    /** Interim (1xx) responses an endpoint may send before its final one; more is a malformed response. */
    static final int MAX_INTERIM = 8;
    private int interims;
    /** Whether the last failed try failed by its timeout (then running out of endpoints is a 504). */
    private boolean lastTryTimedOut;
    private PickContext pick;
    private Backend preferred;
    private final List<Backend> tried = new ArrayList<>(2);
    /** Body received so far, retained for sending on attach and replaying on retry. */
    private final List<HttpContent> body = new ArrayList<>();
    private long bodyBytes;
    private boolean replayable = true;
    private boolean requestComplete;
    private UpstreamStream upstream;
    private boolean sentAnything;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean responseHasBody;
    private boolean keepAlive = true;
    private boolean done;
    private int status;
    private long start;
    private long tryStart;
    private ScheduledFuture<?> tryTimer;
    private ScheduledFuture<?> requestTimer;
    private String stickyToSet;
    /** False once the endpoint said it closes its connection after this response. */
    private boolean upstreamReusable = true;
    /** An HTTP/1.1 endpoint's 1xx is decoded with an empty last part that must not reach the client. */
    private boolean swallowNextEmptyLast;

    Exchange(HttpContext http, Downstream down, VirtualAddress address) {
        this.http = http;
        this.down = down;
        this.address = address;
    }

    /** The request head arrived; {@code hasBody} tells whether body content will follow. */
    void onRequestHead(HttpRequest req, boolean hasBody) {
        start = System.nanoTime();
        request = req;
        requestHasBody = hasBody;
        keepAlive = HttpUtil.isKeepAlive(req) || down.isHttp2();
        upgradeRequested = !down.isHttp2() && HeaderRules.isUpgrade(req);
        vs = http.lookup(address);
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
            requestComplete = true;
        }
        if (req instanceof FullHttpMessage full) {
            // An HTTP/2 request without body (or a complete one): keep its content as the whole body.
            // The head is used on; only its content is reference-counted, so it is released here.
            if (full.content().isReadable()) {
                body.add(new io.netty.handler.codec.http.DefaultLastHttpContent(full.content().retain()));
                bodyBytes = full.content().readableBytes();
            }
            full.release();
            requestComplete = true;
        }
        HeaderRules.stripHopByHop(req.headers(), upgradeRequested, protocol.http2Upstream());
        HeaderRules.addForwarded(req.headers(), down.forwarding());
        if (!req.headers().contains(HttpHeaderNames.HOST)) {
            req.headers().set(HttpHeaderNames.HOST, address.address().getHostAddress() + ":" + address.port());
        }
        pick = PickContext.of(down.client().getAddress(), down.client().getPort(), address.address(), address.port());
        HttpOptions.HashKey key = options.hashKey();
        if (key.source() == HttpOptions.HashKey.Source.HEADER) {
            String v = req.headers().get(key.name());
            if (v != null) {
                pick = pick.withHashKey(hash(v));
            }
        } else if (key.source() == HttpOptions.HashKey.Source.COOKIE) {
            String v = cookie(req, key.name());
            if (v != null) {
                pick = pick.withHashKey(hash(v));
            }
        }
        if (!options.stickyCookie().isEmpty()) {
            String v = cookie(req, options.stickyCookie());
            preferred = v == null ? null : byStickyValue(v);
        }
        long timeout = requestTimeoutNanos(req);
        if (timeout > 0) {
            requestTimer = down.eventLoop().schedule(() -> timedOut(false), timeout, TimeUnit.NANOSECONDS);
        }
        attempt();
    }

    /** Part of the request body arrived. Ownership passes to the exchange. */
    void onRequestContent(HttpContent c) {
        if (done || (requestComplete && c instanceof LastHttpContent l && !l.content().isReadable()
                && l.trailingHeaders().isEmpty())) {
            ReferenceCountUtil.release(c);
            return;
        }
        boolean last = c instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        int n = c.content().readableBytes();
        if (upstream != null) {
            if (replayable && bodyBytes + n <= REPLAY_LIMIT && !responseStarted) {
                body.add(c.retainedDuplicate());
                bodyBytes += n;
            } else {
                dropReplay();
            }
            upstream.write(c);
            if (!upstream.isWritable()) {
                down.setReadable(false);
            }
        } else {
            body.add(c);
            bodyBytes += n;
            if (bodyBytes > PENDING_LIMIT) {
                down.setReadable(false);
            }
        }
    }

    /** The client's reads of this batch are done: send what was written. */
    void flushUpstream() {
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
        Backend b = choose();
        if (b == null) {
            if (tried.isEmpty()) {
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
        tried.add(b);
        interims = 0;
        tryStart = System.nanoTime();
        http.upstreams().acquire(b, protocol.http2Upstream(),
                pool.options().connectTimeout(), this::attached, cause -> connectFailed(b));
    }

    private Backend choose() {
        int limit = options.maxRequestsPerEndpoint();
        if (limit <= 0 && tried.isEmpty() && preferred == null) {
            // The usual first try: nothing to exclude, so no exclusion list is built.
            return chosen(pool.choose(pick, http.state().affinity()));
        }
        List<Backend> excluded = new ArrayList<>(tried);
        if (limit > 0) {
            for (Backend b : pool.backends()) {
                if (b.inFlightRequests() >= limit) {
                    excluded.add(b);
                }
            }
        }
        if (preferred != null && pool.contains(preferred) && !excluded.contains(preferred) && preferred.weight() > 0
                && preferred.isAvailable()) {
            return preferred;
        }
        return chosen(pool.choose(pick.excluding(excluded), http.state().affinity()));
    }

    private Backend chosen(Backend b) {
        if (b != null && !options.stickyCookie().isEmpty()) {
            stickyToSet = stickyValue(b);
        }
        return b;
    }

    private void connectFailed(Backend b) {
        if (done) {
            return;
        }
        lastTryTimedOut = false;
        b.connectFailed(pool.options().downBackoff().toNanos());
        pool.stats().connectFailed();
        if (b.requestFailed(options.outlierConsecutiveErrors(), options.outlierBaseEjection().toNanos())) {
            pool.stats().ejected();
        }
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
            s.release(false);
            return;
        }
        upstream = s;
        s.bind(this);
        s.backend().requests().started();
        long tryTimeout = options.tryTimeout().toNanos();
        if (tryTimeout > 0) {
            tryTimer = down.eventLoop().schedule(() -> timedOut(true), tryTimeout, TimeUnit.NANOSECONDS);
        }
        // The headers are shared, not copied: encoding happens within write, and framing is the same
        // on every try, so a retry can send them again.
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
                request.headers());
        if (!protocol.http2Upstream()) {
            HeaderRules.frameForHttp1(head, requestHasBody, true);
        }
        s.write(head);
        sentAnything = true;
        List<HttpContent> parts = new ArrayList<>(body);
        if (!replayable) {
            body.clear();
        }
        for (HttpContent c : parts) {
            s.write(replayable ? c.retainedDuplicate() : c);
        }
        if (requestComplete && !hasLast(parts)) {
            s.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        s.flush();
        if (!requestComplete) {
            down.setReadable(s.isWritable());
        }
    }

    private static boolean hasLast(List<HttpContent> parts) {
        return !parts.isEmpty() && parts.get(parts.size() - 1) instanceof LastHttpContent;
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
            cancelTryTimer();
            dropReplay();
            if (code == 101 && upgradeRequested && !down.isHttp2()) {
                switchProtocols(r);
                return;
            }
            boolean upstreamKeepAlive = HttpUtil.isKeepAlive(r) || upstream instanceof Http2Upstream;
            responseHasBody = !(r instanceof FullHttpMessage f && !f.content().isReadable()
                    && f.trailingHeaders().isEmpty()) && request.method() != HttpMethod.HEAD
                    && code != 204 && code != 304;
            boolean full = r instanceof FullHttpMessage;
            HttpResponse head = r;
            HeaderRules.stripHopByHop(head.headers(), false, false);
            if (!upstreamKeepAlive) {
                upstreamReusable = false;
            }
            if (stickyToSet != null) {
                head.headers().add(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(
                        stickyCookie(options.stickyCookie(), stickyToSet)));
            }
            if (!down.isHttp2()) {
                boolean chunked = down.chunkedAllowed();
                HeaderRules.frameForHttp1(head, responseHasBody, chunked);
                if (responseHasBody && !chunked && !HttpUtil.isContentLengthSet(head)) {
                    // An HTTP/1.0 client without a length: the body ends when the connection closes.
                    keepAlive = false;
                }
                if (http.state().draining()) {
                    // The proxy is going away: the client reconnects, to its successor.
                    keepAlive = false;
                }
                if (!keepAlive) {
                    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                if (full) {
                    // Written as head plus body parts, so HTTP/1 framing applies as set above.
                    FullHttpResponse fr = (FullHttpResponse) r;
                    DefaultHttpResponse h = new DefaultHttpResponse(fr.protocolVersion(), fr.status(), fr.headers());
                    down.write(h);
                    LastHttpContent lastPart = new io.netty.handler.codec.http.DefaultLastHttpContent(
                            fr.content().retain(), fr.trailingHeaders());
                    fr.release();
                    relayContent(lastPart);
                    return;
                }
            }
            down.write(head);
            if (head instanceof LastHttpContent last) {
                complete(last);
            } else if (!down.isWritable()) {
                upstream.setReadable(false);
            }
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
        if (c instanceof LastHttpContent last) {
            if (!down.isHttp2() && !last.trailingHeaders().isEmpty() && !down.chunkedAllowed()) {
                // Trailers only exist in chunked HTTP/1.1 and HTTP/2; an HTTP/1.0 client gets the body alone.
                down.write(new io.netty.handler.codec.http.DefaultLastHttpContent(last.content().retain()));
                last.release();
            } else {
                down.write(last);
            }
            complete(last);
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
        if (down.isHttp2()) {
            FullHttpResponse interim = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                    Unpooled.EMPTY_BUFFER, r.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            down.write(interim);
        } else {
            down.write(new DefaultHttpResponse(r.protocolVersion(), r.status(), r.headers()));
            down.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
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
        down.flush();
    }

    private void complete(LastHttpContent last) {
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
        cancelTimers();
        releaseBody();
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
            if (b.requestFailed(options.outlierConsecutiveErrors(), options.outlierBaseEjection().toNanos())) {
                pool.stats().ejected();
            }
        }
        cancelTryTimer();
        if (responseStarted) {
            finishStats(0);
            done = true;
            cancelTimers();
            releaseBody();
            down.abort();
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
            if (b.requestFailed(options.outlierConsecutiveErrors(), options.outlierBaseEjection().toNanos())) {
                pool.stats().ejected();
            }
            lastTryTimedOut = true;
            if (retryAllowed(false)) {
                pool.stats().retried();
                attempt();
                return;
            }
        }
        if (responseStarted) {
            if (upstream != null) {
                upstream.release(false);
                upstream = null;
            }
            finishStats(0);
            done = true;
            cancelTimers();
            releaseBody();
            down.abort();
            return;
        }
        if (upstream != null) {
            upstream.release(false);
            upstream = null;
        }
        respond(HttpResponseStatus.GATEWAY_TIMEOUT, "the endpoint did not answer in time\n");
    }

    /**
     * A retry is allowed when tries remain, the budget has room, the body can be replayed, and either
     * nothing reached an endpoint or the method is idempotent.
     */
    private boolean retryAllowed(boolean nothingSent) {
        if (tried.size() > options.retries() || !replayable || responseStarted) {
            return false;
        }
        if (!nothingSent && !IDEMPOTENT.contains(request.method())) {
            return false;
        }
        if (!requestComplete && bodyBytes >= REPLAY_LIMIT) {
            return false;
        }
        return pool.stats().retryBudget().tryWithdraw(options.retryMinPerSecond());
    }

    /** Answers the client with an error of our own (nothing from an endpoint was sent). */
    private void respond(HttpResponseStatus st, String text) {
        if (done) {
            return;
        }
        status = st.code();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, st);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (!requestComplete && !down.isHttp2()) {
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
        down.write(new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
        down.flush();
        responseComplete = true;
        finish(false);
    }

    private void finish(boolean fromEndpoint) {
        if (done) {
            return;
        }
        done = true;
        cancelTimers();
        long now = System.nanoTime();
        if (upstream != null) {
            Backend b = upstream.backend();
            b.requests().finished(status, now - tryStart);
            b.observeLatency(now - tryStart);
            if (status >= 500) {
                if (b.requestFailed(options.outlierConsecutiveErrors(), options.outlierBaseEjection().toNanos())) {
                    pool.stats().ejected();
                }
            } else {
                b.requestSucceeded();
            }
            upstream.release(fromEndpoint && requestComplete && responseComplete && upstreamReusable);
            upstream = null;
        }
        finishStats(status);
        releaseBody();
        down.exchangeDone(this, keepAlive && requestComplete);
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
        cancelTimers();
        if (upstream != null) {
            upstream.backend().requests().finished(0, System.nanoTime() - tryStart);
            upstream.release(false);
            upstream = null;
        }
        finishStats(0);
        releaseBody();
    }

    boolean isDone() {
        return done;
    }

    boolean requestComplete() {
        return requestComplete;
    }

    private void dropReplay() {
        if (replayable) {
            replayable = false;
            releaseBody();
        }
    }

    private void releaseBody() {
        for (HttpContent c : body) {
            ReferenceCountUtil.release(c);
        }
        body.clear();
    }

    private void cancelTryTimer() {
        if (tryTimer != null) {
            tryTimer.cancel(false);
            tryTimer = null;
        }
    }

    private void cancelTimers() {
        cancelTryTimer();
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
    }

    /** The request timeout: the Service's, or a shorter gRPC deadline ({@code grpc-timeout}). */
    private long requestTimeoutNanos(HttpRequest req) {
        long configured = options.requestTimeout().toNanos();
        String grpc = req.headers().get("grpc-timeout");
        if (grpc != null && grpc.length() >= 2) {
            try {
                long v = Long.parseLong(grpc.substring(0, grpc.length() - 1));
                long nanos = switch (grpc.charAt(grpc.length() - 1)) {
                    case 'H' -> TimeUnit.HOURS.toNanos(v);
                    case 'M' -> TimeUnit.MINUTES.toNanos(v);
                    case 'S' -> TimeUnit.SECONDS.toNanos(v);
                    case 'm' -> TimeUnit.MILLISECONDS.toNanos(v);
                    case 'u' -> TimeUnit.MICROSECONDS.toNanos(v);
                    case 'n' -> v;
                    default -> 0;
                };
                if (nanos > 0 && (configured == 0 || nanos < configured)) {
                    return nanos;
                }
            } catch (NumberFormatException e) {
                // Not a valid deadline: the endpoint sees the header and decides.
            }
        }
        return configured;
    }

    private static String cookie(HttpRequest req, String name) {
        for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (var c : ServerCookieDecoder.LAX.decode(header)) {
                if (c.name().equals(name)) {
                    return c.value();
                }
            }
        }
        return null;
    }

    /**
     * The sticky cookie: for the whole site ({@code Path=/}, or it would only come back on paths
     * under the first request's) and out of reach of page scripts; a session cookie, as HAProxy's
     * {@code cookie ... insert} sets by default.
     */
    private static io.netty.handler.codec.http.cookie.Cookie stickyCookie(String name, String value) {
        var c = new io.netty.handler.codec.http.cookie.DefaultCookie(name, value);
        c.setPath("/");
        c.setHttpOnly(true);
        return c;
    }

    /** The sticky cookie's value for an endpoint: an opaque hash of its address, not the address itself. */
    static String stickyValue(Backend b) {
        long h = hash(b.address().getHostAddress() + ":" + b.port());
        return Long.toHexString(h);
    }

    private Backend byStickyValue(String v) {
        for (Backend b : pool.backends()) {
            if (stickyValue(b).equals(v)) {
                return b;
            }
        }
        return null;
    }

    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
