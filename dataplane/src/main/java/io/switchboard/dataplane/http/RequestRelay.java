package io.switchboard.dataplane.http;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.switchboard.model.HostPort;
import io.switchboard.routing.VirtualAddress;

/**
 * The request of one {@link Exchange} on its way to the endpoint: its head made ready to forward,
 * its body passed to the current try or held while none is attached ({@link RequestBody}), the
 * request sent again on each new try, and the moment the first try may start. The client is paused
 * while what it sends cannot go on. Used on the exchange's event loop only.
 */
final class RequestRelay {

    private final Downstream down;
    private final HttpRequest request;
    private final boolean hasBody;
    private final RequestBody body;
    private final boolean http2Upstream;
    private final boolean upgradeRequested;
    /** The first try waits for the body (or {@value RequestBody#PENDING_LIMIT} bytes of it). */
    private boolean awaitingBody;
    /** The first try waits for the end of the client's read batch. */
    private boolean startDeferred;

    /**
     * Takes the head of a request to a Service reached over HTTP/2 streams ({@code http2Upstream}) or
     * HTTP/1.1 connections at {@code address}; {@code hasBody} tells whether body content will follow
     * (then to {@code body}). The head's hop-by-hop headers go, forwarding headers and a Host come.
     */
    RequestRelay(Downstream down, HttpRequest req, boolean hasBody, RequestBody body, boolean http2Upstream,
                 VirtualAddress address) {
        this.down = down;
        this.request = req;
        this.hasBody = hasBody;
        this.body = body;
        this.http2Upstream = http2Upstream;
        this.upgradeRequested = !down.isHttp2() && HeaderRules.isUpgrade(req);
        if (!hasBody) {
            // No body will follow (the decoder still emits an empty last part, which the exchange ignores).
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
        HeaderRules.stripHopByHop(req.headers(), upgradeRequested, http2Upstream);
        HeaderRules.addForwarded(req.headers(), down.forwarding());
        if (!req.headers().contains(HttpHeaderNames.HOST)) {
            req.headers().set(HttpHeaderNames.HOST, HostPort.of(address.address(), address.port()));
        }
        // An endpoint connection is the scarce resource a request holds: an HTTP/1.1 one is not taken
        // for a body that has not arrived (up to the pending limit), as nginx buffers request bodies,
        // so clients that never send theirs hold none. Streaming upstreams (HTTP/2, gRPC) take a
        // stream, not a connection, and must stream (bidirectional calls).
        awaitingBody = !body.complete() && !http2Upstream && !upgradeRequested
                && !HttpUtil.is100ContinueExpected(req);
        // An HTTP/2 stream starts at the end of the client's read batch, so one reset in the same
        // batch (rapid reset) costs no endpoint connection.
        startDeferred = down.isHttp2();
    }

    HttpMethod method() {
        return request.method();
    }

    /** Whether the client asked to switch protocols (HTTP/1.1 {@code Upgrade}). */
    boolean upgradeRequested() {
        return upgradeRequested;
    }

    /** Whether nothing holds the first try back any more. */
    boolean readyToStart() {
        return !awaitingBody && !startDeferred;
    }

    /** The client's read batch ended; true when the first try was waiting for that. */
    boolean readBatchEnded() {
        boolean was = startDeferred;
        startDeferred = false;
        return was;
    }

    /**
     * Part of the body arrived (its reference passes on): written to {@code upstream}, the current
     * try's, or held while there is none.
     */
    void onContent(HttpContent c, UpstreamStream upstream, boolean responseStarted) {
        if (upstream != null) {
            body.passing(c, responseStarted);
            upstream.write(c);
            if (!upstream.isWritable()) {
                down.setReadable(false);
            }
        } else if (body.hold(c)) {
            // Enough is held: the first try starts rather than wait for the rest.
            down.setReadable(false);
            awaitingBody = false;
        }
        if (body.complete()) {
            awaitingBody = false;
        }
    }

    /** A try got its connection or stream: the head goes out on it, with the body so far (and its end, if it came). */
    void send(UpstreamStream s) {
        // The headers are shared, not copied: encoding happens within write, and framing is the same
        // on every try, so a retry can send them again.
        LastHttpContent whole = body.takeWhole();
        HttpRequest head = whole == null
                ? new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), request.headers())
                // The whole request is here (most are: a head without body): one message, which the
                // HTTP/1 encoder writes as one buffer, rather than head and end as two writes.
                : new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), whole.content(),
                        request.headers(), whole.trailingHeaders());
        if (!http2Upstream) {
            HeaderRules.frameForHttp1(head, hasBody, true);
        }
        s.write(head);
        if (whole == null) {
            body.sendTo(s);
        }
        s.flush();
        if (!body.complete()) {
            down.setReadable(s.isWritable());
        }
    }
}
