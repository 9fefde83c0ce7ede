package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.routing.Backend;

/** One HTTP/2 stream to an endpoint, carrying one request. */
final class Http2Upstream implements UpstreamStream {

    private final Http2StreamChannel stream;
    private final Backend backend;
    private final Http2Connection connection;
    private Exchange exchange;
    private boolean released;

    Http2Upstream(Http2StreamChannel stream, Backend backend, Http2Connection connection) {
        this.stream = stream;
        this.backend = backend;
        this.connection = connection;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public void bind(Exchange e) {
        this.exchange = e;
    }

    @Override
    public void write(HttpObject msg) {
        stream.write(msg, stream.voidPromise());
    }

    @Override
    public void flush() {
        stream.flush();
    }

    @Override
    public boolean isWritable() {
        return stream.isWritable();
    }

    @Override
    public void setReadable(boolean readable) {
        stream.config().setAutoRead(readable);
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
            stream.close();
        }
    }

    @Override
    public Channel detach() {
        throw new UnsupportedOperationException("HTTP/2 streams do not switch protocols");
    }

    ChannelHandler handler() {
        return new Handler();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
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
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Exchange e = exchange;
            if (e != null) {
                e.flushDownstream();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Exchange e = exchange;
            if (e != null && ctx.channel().isWritable()) {
                e.upstreamWritable();
            }
            ctx.fireChannelWritabilityChanged();
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

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
