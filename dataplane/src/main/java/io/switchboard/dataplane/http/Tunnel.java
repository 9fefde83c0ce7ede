package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.switchboard.dataplane.IdleWatch;
import io.switchboard.dataplane.Transport;

/**
 * Relays raw bytes between a client and an endpoint after a protocol switch (101, a WebSocket
 * for instance), with backpressure through auto-read. A FIN from the client is passed on to the
 * endpoint after the bytes before it; the endpoint closing closes the client; a tunnel quiet both
 * ways for the Service's idle timeout is closed.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final IdleWatch idle;

    private Tunnel(Channel peer, IdleWatch idle) {
        this.peer = peer;
        this.idle = idle;
    }

    /** Adds the two ends; the HTTP handlers are removed by the caller after this. */
    static void install(Channel client, Channel upstream, long idleTimeoutNanos) {
        IdleWatch idle = IdleWatch.start(client.eventLoop(), idleTimeoutNanos, () -> {
            closeAfterFlush(client);
            closeAfterFlush(upstream);
        });
        client.pipeline().addLast("tunnel", new Tunnel(upstream, idle));
        upstream.pipeline().addLast("tunnel", new Tunnel(client, idle));
        client.config().setAutoRead(true);
        upstream.config().setAutoRead(true);
    }

    private static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (idle != null) {
            idle.active();
        }
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Only the client side allows half-closure: its FIN becomes the endpoint's, and the
            // endpoint's answer still flows back until it closes.
            if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                    if (f.isSuccess()) {
                        Transport.shutdownOutput(peer);
                    }
                });
            } else {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.stop();
        }
        closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
