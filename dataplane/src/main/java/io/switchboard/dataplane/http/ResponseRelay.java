package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
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
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The response of one {@link Exchange} on its way to the client: the endpoint's interim (1xx)
 * responses, its final head and body, or an answer of the proxy's own in the endpoint's stead. It
 * keeps what the exchange's end needs to know: whether a response began and completed, its status,
 * and whether the client's and the endpoint's connections may carry another request. Writing to the
 * client pauses reading the endpoint while the client's buffer is full.
 *
 * <p>The endpoint's path changes from try to try, so each call that may pause it is given the
 * current one. Used on the exchange's event loop only.
 */
final class ResponseRelay {

    /** Interim (1xx) responses an endpoint may send before its final one; more is a malformed response. */
    static final int MAX_INTERIM = 8;

    private final Downstream down;
    private final HttpRequest request;
    private boolean keepAlive;
    private boolean started;
    private boolean complete;
    private int status;
    /** False once the endpoint said it closes its connection after this response. */
    private boolean upstreamReusable = true;
    private int interims;
    /** An HTTP/1.1 endpoint's 1xx is decoded with an empty last part that must not reach the client. */
    private boolean swallowNextEmptyLast;
    /**
     * An endpoint's response head held until the end of its read batch or its first body part, so
     * a body that is malformed at once (a bad chunk size) still gets a 502 rather than a cut
     * connection; null once relayed.
     */
    private HttpResponse heldHead;
    private boolean heldHasBody;

    ResponseRelay(Downstream down, HttpRequest request) {
        this.down = down;
        this.request = request;
        this.keepAlive = HttpUtil.isKeepAlive(request) || down.isHttp2();
    }

    /** Whether a response (the endpoint's final head, or one of ours) began reaching the client. */
    boolean started() {
        return started;
    }

    /** The final status, 0 while none came. */
    int status() {
        return status;
    }

    /** An HTTP/1 connection closes after this response, whatever the request asked (HTTP/2 streams are unaffected). */
    void closeAfter() {
        if (!down.isHttp2()) {
            keepAlive = false;
        }
    }

    /** Whether the client's connection may carry another request after this response. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the endpoint's connection may carry another request: the response completed on a kept connection. */
    boolean upstreamReusable() {
        return complete && upstreamReusable;
    }

    /** 1xx other than 101: informational, the final response follows (100 Continue, 103 Early Hints). */
    static boolean isInterim(int code) {
        return code >= 100 && code < 200 && code != 101;
    }

    /**
     * Whether a final response has a body to relay: not for HEAD, 204 or 304, nor for a full
     * response without content or trailers.
     */
    static boolean hasBody(HttpResponse r, HttpMethod method) {
        int code = r.status().code();
        return !(r instanceof FullHttpMessage f && !f.content().isReadable() && f.trailingHeaders().isEmpty())
                && method != HttpMethod.HEAD && code != 204 && code != 304;
    }

    /** A new try begins: its endpoint gets its own allowance of interim responses. */
    void newTry() {
        interims = 0;
    }

    /**
     * Passes an interim response on to the client. Returns false, having released it, when the
     * endpoint sent more than {@value #MAX_INTERIM}: one streaming 1xx without end would grow the
     * client's buffer for ever, so the try has failed.
     */
    boolean relayInterim(HttpResponse r, UpstreamStream upstream) {
        if (++interims > MAX_INTERIM) {
            ReferenceCountUtil.release(r);
            return false;
        }
        down.writeInterim(r);
        ReferenceCountUtil.release(r);
        down.flush();
        if (!down.isWritable() && upstream != null) {
            // Interim responses wait for the client like any other bytes.
            upstream.setReadable(false);
        }
        // A 1xx response decoded from HTTP/1.1 is followed by an empty last part, swallowed by swallowEmptyLast.
        swallowNextEmptyLast = !(upstream instanceof Http2Upstream);
        return true;
    }

    /** Whether an empty last part after a 1xx should be dropped (it is then released); consumed once. */
    boolean swallowEmptyLast(HttpObject msg) {
        if (swallowNextEmptyLast && msg instanceof LastHttpContent l && !l.content().isReadable()
                && l.trailingHeaders().isEmpty() && !started) {
            swallowNextEmptyLast = false;
            ReferenceCountUtil.release(msg);
            return true;
        }
        return false;
    }

    /** The endpoint's final response head arrived with {@code code}: the response has begun. */
    void began(int code) {
        started = true;
        status = code;
    }

    /**
     * Relays a final response head that {@link #began}, naming the endpoint in {@code setCookie} when
     * not null. The head is held (see {@link #flush}) unless the response ends with it. Returns true
     * when this completed the response.
     */
    boolean relayHead(HttpResponse r, UpstreamStream upstream, Cookie setCookie) {
        // Read before the hop-by-hop headers (Connection among them) are stripped.
        boolean upstreamKeepAlive = HttpUtil.isKeepAlive(r) || upstream instanceof Http2Upstream;
        boolean responseHasBody = hasBody(r, request.method());
        HeaderRules.stripHopByHop(r.headers(), false, false);
        if (!upstreamKeepAlive) {
            upstreamReusable = false;
        }
        if (setCookie != null) {
            r.headers().add(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(setCookie));
        }
        if (!down.isHttp2() && r instanceof FullHttpResponse full && !full.trailingHeaders().isEmpty()) {
            // Written as head plus last part, which drops the trailers for a client that cannot take them.
            keepAlive = down.writeResponseHead(Http1Framing.headOf(full), responseHasBody, keepAlive,
                    request.protocolVersion());
            LastHttpContent rest = new DefaultLastHttpContent(full.content().retain(), full.trailingHeaders());
            full.release();
            return relayContent(rest, upstream);
        }
        if (r instanceof LastHttpContent) {
            keepAlive = down.writeResponseHead(r, responseHasBody, keepAlive, request.protocolVersion());
            return completed();
        }
        heldHead = r;
        heldHasBody = responseHasBody;
        return false;
    }

    /**
     * Relays part of the endpoint's response body (released instead while no response has begun);
     * true when it was the last part.
     */
    boolean relayContent(HttpContent c, UpstreamStream upstream) {
        if (!started) {
            ReferenceCountUtil.release(c);
            return false;
        }
        if (heldHead != null && c instanceof LastHttpContent last && last.trailingHeaders().isEmpty()) {
            // The whole response came in one read: head and body go out as one message, which the
            // HTTP/1 encoder writes as one buffer (and HTTP/2 as one or two frames), rather than as
            // two writes through the client's pipeline.
            HttpResponse head = heldHead;
            heldHead = null;
            keepAlive = down.writeResponseHead(new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
                    last.content(), head.headers(), last.trailingHeaders()), heldHasBody, keepAlive,
                    request.protocolVersion());
            return completed();
        }
        relayHeldHead();
        if (c instanceof LastHttpContent last) {
            down.writeLast(last);
            return completed();
        }
        down.write(c);
        if (!down.isWritable()) {
            upstream.setReadable(false);
        }
        return false;
    }

    /** The endpoint's reads of this batch are done: the held head goes out, and what was written is flushed. */
    void flush(UpstreamStream upstream) {
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

    private boolean completed() {
        complete = true;
        down.flush();
        return true;
    }

    /**
     * The try failed with the head still held: nothing reached the client yet, so it gets a status
     * of ours (or a retry's response), as if no head had come.
     */
    void dropHeldHead() {
        if (heldHead != null) {
            ReferenceCountUtil.release(heldHead);
            heldHead = null;
            started = false;
        }
    }

    /**
     * Answers the client with {@code st} and {@code text} of our own, nothing from an endpoint having
     * reached it: a gRPC call as gRPC clients read errors ({@link GrpcErrors}), anything else as
     * plain text. An HTTP/1 connection closes after it when the request body was not read to its end
     * ({@code bodyComplete}) or the proxy is {@code draining}.
     */
    void answer(HttpResponseStatus st, String text, boolean bodyComplete, boolean draining) {
        status = st.code();
        if (down.isHttp2() && GrpcErrors.isGrpc(request)) {
            started = true;
            down.write(GrpcErrors.trailersOnly(st, text));
            down.flush();
            complete = true;
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, st);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (!bodyComplete && !down.isHttp2()) {
            // The rest of the body will not be read: the connection cannot carry another request.
            keepAlive = false;
        }
        if (draining && !down.isHttp2()) {
            keepAlive = false;
        }
        if (!keepAlive && !down.isHttp2()) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        started = true;
        down.write(head);
        down.write(new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
        down.flush();
        complete = true;
    }
}
