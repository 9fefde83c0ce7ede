package io.switchboard.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * Conversion between a client's HTTP/2 stream frames and the HTTP/1-shaped objects an
 * {@link Exchange} works with: the same mapping as Netty's stream-to-object codec (pseudo-headers
 * to request line and {@code Host}, trailers as the last part's trailing headers), done in place
 * on the connection instead of through a channel per stream.
 */
final class Http2Frames {

    private Http2Frames() {
    }

    /**
     * The request a HEADERS frame opens; its headers are validated as HTTP/1 headers. A head that
     * cannot be one (no {@code :method} or {@code :path}, a method that is no token, a target with
     * spaces: Netty says so with a NullPointerException or IllegalArgumentException) is a malformed
     * request, a stream error of type PROTOCOL_ERROR (RFC 9113 section 8.1.1), not a failure of ours.
     * The fields Netty's conversion adds for its own use (stream id, scheme) are not the client's and
     * are dropped here, so the proxy's hop-by-hop pass finds nothing to strip in the common case.
     */
    static HttpRequest toRequest(int streamId, Http2Headers headers) throws Http2Exception {
        HttpRequest r;
        try {
            r = HttpConversionUtil.toHttpRequest(streamId, headers, true);
        } catch (RuntimeException e) {
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, e, "malformed request head: %s",
                    e.getMessage());
        }
        r.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        r.headers().remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
        return r;
    }

    /** A trailing HEADERS frame as the body's last part. */
    static LastHttpContent toTrailers(int streamId, Http2Headers headers) throws Http2Exception {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        HttpConversionUtil.addHttp2ToHttpHeaders(streamId, headers, last.trailingHeaders(), HttpVersion.HTTP_1_1,
                true, true);
        return last;
    }

    /** An interim (1xx) response as a HEADERS frame that does not end the stream. */
    static Http2StreamFrame interim(Http2FrameStream stream, HttpResponse r) {
        return new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(r, false), false).stream(stream);
    }

    /**
     * Writes a response object as frames on {@code stream}: a head as HEADERS, content as DATA,
     * the last part ending the stream (with trailers as a final HEADERS frame). Takes ownership of
     * {@code msg}'s content.
     */
    static void writeResponse(Http2FrameStream stream, HttpObject msg, Consumer<Http2StreamFrame> out) {
        if (msg instanceof HttpResponse head) {
            Http2Headers h = HttpConversionUtil.toHttp2Headers(head, false);
            if (msg instanceof FullHttpMessage full) {
                boolean bodyless = !full.content().isReadable() && full.trailingHeaders().isEmpty();
                out.accept(new DefaultHttp2HeadersFrame(h, bodyless).stream(stream));
                if (bodyless) {
                    full.release();
                } else {
                    writeLast(stream, full.content(), full.trailingHeaders(), out);
                }
            } else {
                out.accept(new DefaultHttp2HeadersFrame(h, false).stream(stream));
            }
            return;
        }
        if (msg instanceof LastHttpContent last) {
            writeLast(stream, last.content(), last.trailingHeaders(), out);
            return;
        }
        if (msg instanceof HttpContent c) {
            if (c.content().isReadable()) {
                out.accept(new DefaultHttp2DataFrame(c.content(), false).stream(stream));
            } else {
                c.release();
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private static void writeLast(Http2FrameStream stream, ByteBuf content, HttpHeaders trailers,
                                  Consumer<Http2StreamFrame> out) {
        if (trailers.isEmpty()) {
            out.accept(new DefaultHttp2DataFrame(content, true).stream(stream));
            return;
        }
        if (content.isReadable()) {
            out.accept(new DefaultHttp2DataFrame(content, false).stream(stream));
        } else {
            content.release();
        }
        out.accept(new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(trailers, false), true).stream(stream));
    }
}
