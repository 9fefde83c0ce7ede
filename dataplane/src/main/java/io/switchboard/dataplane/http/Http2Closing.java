package io.switchboard.dataplane.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2Error;
import io.switchboard.dataplane.DrainEvent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an HTTP/2 client connection ends. When the client ends its side, at once: HTTP/2 has no
 * half-closed connection, and with half-closure allowed nothing else would close it. When the proxy
 * drains, gracefully, the two-step way RFC 9113
 * section 6.8 suggests: a GOAWAY whose last stream is the largest possible tells the client to open
 * no new streams without refusing any already on the wire; {@value #GRACE_MILLIS} ms later the
 * connection closes as soon as no stream is open (the drain's timeout closes it otherwise).
 */
final class Http2Closing extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http2Closing.class);

    /** Time for streams the client opened before it read the GOAWAY to arrive. */
    static final long GRACE_MILLIS = 1000;

    private boolean draining;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.INSTANCE && !draining) {
            draining = true;
            ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
            ctx.executor().schedule(() -> closeWhenIdle(ctx), GRACE_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The codec has already answered a client's protocol error (GOAWAY or RST_STREAM) and closes
     * the connection itself when the error is the connection's; here it is only noted. Anything
     * else ends the connection: a lost client quietly, anything unexpected with a warning.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception e) {
            LOG.atDebug().addKeyValue("client", ctx.channel().remoteAddress()).addKeyValue("error", e.error())
                    .log("HTTP/2 protocol error from the client: {}", e.getMessage());
            return;
        }
        if (cause instanceof Http2FrameStreamException) {
            // One stream's error: the stream handler resets that stream, the connection goes on.
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof java.io.IOException) {
            // The client went away (reset, broken pipe): each write still in flight fails the same
            // way, so this is noted at debug level only, not once per write at warn.
            LOG.atDebug().addKeyValue("client", ctx.channel().remoteAddress())
                    .log("HTTP/2 client connection lost: {}", cause.getMessage());
            ctx.close();
            return;
        }
        LOG.atWarn().addKeyValue("client", ctx.channel().remoteAddress()).setCause(cause)
                .log("HTTP/2 client connection failed");
        ctx.close();
    }

    /** Closes now if no stream is open, else once the last one closes. */
    private static void closeWhenIdle(ChannelHandlerContext ctx) {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec == null || codec.connection().numActiveStreams() == 0) {
            ctx.channel().close();
            return;
        }
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (codec.connection().numActiveStreams() == 0) {
                    // After the stream's last frame is written: closing inside the callback could cut it.
                    ctx.executor().execute(() -> ctx.channel().close());
                }
            }
        });
    }
}
