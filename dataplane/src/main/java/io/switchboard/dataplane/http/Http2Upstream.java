package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.routing.Backend;

/** One HTTP/2 stream to an endpoint, carrying one request. */
final class Http2Upstream extends ChannelUpstream {

    private final Http2Connection connection;
    private boolean released;

    Http2Upstream(Http2StreamChannel stream, Backend backend, Http2Connection connection) {
        super(stream, backend);
        this.connection = connection;
    }

    @Override
    public boolean reused() {
        return false;
    }

    @Override
    public void release(boolean reusable) {
        exchange = null;
        if (!released) {
            released = true;
            connection.streamClosed();
            // A finished stream is already closed; an unfinished one is reset.
            channel.close();
        }
    }

    @Override
    public Channel detach() {
        throw new UnsupportedOperationException("HTTP/2 streams do not switch protocols");
    }

    ChannelHandler handler() {
        return new Handler();
    }

    private final class Handler extends ResponseHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange e = exchange;
            if (e == null || !(msg instanceof HttpObject o)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            e.onResponse(o);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange e = exchange;
            exchange = null;
            if (!released) {
                released = true;
                connection.streamClosed();
            }
            if (e != null) {
                e.upstreamFailed(false);
            }
        }
    }
}
