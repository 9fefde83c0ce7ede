package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.routing.Backend;

/** A pooled HTTP/1.1 keep-alive connection to an endpoint, carrying one request at a time. */
final class Http1Upstream extends ChannelUpstream {

    private final UpstreamPools pools;
    private int uses;
    private long idleSince;

    Http1Upstream(Channel channel, Backend backend, UpstreamPools pools) {
        super(channel, backend);
        this.pools = pools;
    }

    Channel channel() {
        return channel;
    }

    long idleSince() {
        return idleSince;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    void checkedOut() {
        uses++;
        channel.config().setAutoRead(true);
    }

    @Override
    public boolean reused() {
        return uses > 1;
    }

    @Override
    public void release(boolean reusable) {
        exchange = null;
        pools.released(this, reusable);
    }

    @Override
    public Channel detach() {
        exchange = null;
        // The codec stays until the tunnel is in place: bytes it already holds must reach the tunnel.
        channel.pipeline().remove(Handler.class);
        return channel;
    }

    ChannelHandler handler() {
        return new Handler();
    }

    /** Routes the response to the bound exchange; anything arriving unasked closes the connection. */
    private final class Handler extends ResponseHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange e = exchange;
            if (e == null || !(msg instanceof HttpObject o)) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            // A status must be three digits (RFC 9110 section 15); Netty takes any number.
            if (o.decoderResult().isFailure() || (o instanceof io.netty.handler.codec.http.HttpResponse r
                    && (r.status().code() < 100 || r.status().code() > 999))) {
                ReferenceCountUtil.release(msg);
                exchange = null;
                e.upstreamFailed(true);
                ctx.close();
                return;
            }
            e.onResponse(o);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange e = exchange;
            exchange = null;
            if (e != null) {
                e.upstreamFailed(false);
            }
        }
    }
}
