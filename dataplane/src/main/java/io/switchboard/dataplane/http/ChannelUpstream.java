package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.switchboard.routing.Backend;

/**
 * What both paths to an endpoint share: a channel (a connection or an HTTP/2 stream) that the
 * request is written to and whose response objects go to the bound exchange.
 */
abstract class ChannelUpstream implements UpstreamStream {

    final Channel channel;
    final Backend backend;
    /** The exchange being served, null while idle or released. */
    Exchange exchange;

    ChannelUpstream(Channel channel, Backend backend) {
        this.channel = channel;
        this.backend = backend;
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
        channel.write(msg, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void setReadable(boolean readable) {
        channel.config().setAutoRead(readable);
    }

    /**
     * The response side common to both: what was relayed in a read batch is flushed to the client
     * at its end, a drained endpoint channel resumes reading the client, and an error closes.
     */
    abstract class ResponseHandler extends ChannelInboundHandlerAdapter {
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
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
