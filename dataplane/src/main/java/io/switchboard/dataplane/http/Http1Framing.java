package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.Consumer;

/**
 * How a response relayed from an endpoint is framed for each kind of client. An HTTP/1.1 client
 * gets the endpoint's length or chunked framing; an HTTP/1.0 client gets a length or, without one,
 * a body ended by closing the connection, and no trailers (only chunked framing carries them);
 * {@code Connection} says whether the connection stays. HTTP/2 frames itself: objects pass as they are.
 */
final class Http1Framing {

    private Http1Framing() {
    }

    /**
     * Frames {@code head} for an HTTP/1 client and writes it; returns whether the client connection
     * may stay open after this response.
     *
     * @param chunkedAllowed  whether the client speaks HTTP/1.1
     * @param keepAlive       whether client and proxy meant to keep the connection
     * @param draining        whether the proxy is going away (the client reconnects, to its successor)
     * @param requestVersion  the request's version (a 1.0 client is told it is kept alive)
     */
    static boolean writeHead(HttpResponse head, boolean hasBody, boolean chunkedAllowed, boolean keepAlive,
                             boolean draining, HttpVersion requestVersion, Consumer<HttpObject> out) {
        HeaderRules.frameForHttp1(head, hasBody, chunkedAllowed);
        boolean keep = keepAlive && !draining
                // An HTTP/1.0 client without a length: the body ends when the connection closes.
                && !(hasBody && !chunkedAllowed && !HttpUtil.isContentLengthSet(head));
        if (!keep) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (requestVersion.equals(HttpVersion.HTTP_1_0)) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        out.accept(head);
        return keep;
    }

    /** Writes a response's last part; trailers are dropped for a client that cannot take them. */
    static void writeLast(LastHttpContent last, boolean chunkedAllowed, Consumer<HttpObject> out) {
        if (!chunkedAllowed && !last.trailingHeaders().isEmpty()) {
            out.accept(new DefaultLastHttpContent(last.content().retain()));
            last.release();
        } else {
            out.accept(last);
        }
    }

    /** Writes an interim (1xx) response as HTTP/1 frames it: a head with no body. */
    static void writeInterimHttp1(HttpResponse r, Consumer<HttpObject> out) {
        out.accept(new DefaultHttpResponse(r.protocolVersion(), r.status(), r.headers()));
        out.accept(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** A full response split into its head and its last part, so HTTP/1 framing applies to the head. */
    static HttpResponse headOf(FullHttpResponse full) {
        return new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
    }
}
