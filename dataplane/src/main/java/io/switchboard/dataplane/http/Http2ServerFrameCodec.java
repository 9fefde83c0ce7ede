package io.switchboard.dataplane.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Netty's frame codec for a client's HTTP/2 connection, with the rule of RFC 9113 section 5.1 for
 * streams the proxy reset: frames the client sent on them before it read the reset are ignored.
 *
 * <p>Netty forgets a stream once its RST_STREAM is written. DATA (or trailers) the client already
 * had in flight on it then arrive for a stream Netty does not know; its decoder reports each as a
 * stream error of type STREAM_CLOSED, and the handler answers it with a RST_STREAM, which Netty's
 * encoder counts against its limit of resets sent (200 in 30 s, there against clients that make a
 * server reset streams on purpose). An upload answered early (413, or an endpoint that answers
 * before the body is in) has up to a stream window of DATA in flight, a frame and so a counted reset
 * per 16 KiB: four such uploads ended the whole connection with GOAWAY ENHANCE_YOUR_CALM. Here the
 * error of a frame on a stream in {@link RecentResets} is dropped instead, within that record's
 * bounds; past them, and on streams the proxy did not reset, Netty answers as before.
 *
 * <p>Flow control stays whole: Netty's decoder has counted such a DATA frame against the connection
 * window and consumed its bytes (so they return to the client in the connection's WINDOW_UPDATE)
 * before it reports the error, so dropping the error discards the frame and nothing more.
 */
final class Http2ServerFrameCodec extends Http2FrameCodec {

    private final RecentResets resets = new RecentResets();

    Http2ServerFrameCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
                          boolean decoupleCloseAndGoAway, boolean flushPreface) {
        super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
    }

    /**
     * Every RST_STREAM sent passes here: the proxy's own (an early answer, a failed stream) and
     * Netty's for errors it found in what the client sent. A stream whose client side had already
     * ended is not remembered: nothing more may come on it, so anything that does is an error.
     */
    @Override
    public ChannelFuture resetStream(ChannelHandlerContext ctx, int streamId, long errorCode, ChannelPromise promise) {
        Http2Stream stream = connection().stream(streamId);
        if (stream != null && !stream.isResetSent()
                && (stream.state() == Http2Stream.State.OPEN || stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL)) {
            resets.add(streamId);
        }
        return super.resetStream(ctx, streamId, errorCode, promise);
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        if (!outbound && Http2CodecUtil.getEmbeddedHttp2Exception(cause) instanceof Http2Exception.StreamException e
                && e.error() == Http2Error.STREAM_CLOSED && connection().stream(e.streamId()) == null
                && resets.absorb(e.streamId())) {
            // Not an error (RFC 9113 section 5.1): a frame on a stream we reset, sent before the client
            // read the reset. It is discarded, which is all the section asks; nothing is answered.
            return;
        }
        super.onError(ctx, outbound, cause);
    }
}
