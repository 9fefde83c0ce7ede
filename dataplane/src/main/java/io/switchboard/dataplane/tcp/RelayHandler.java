package io.switchboard.dataplane.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays bytes from one side of a {@link TcpConnection} to the other. Backpressure: when the other
 * side's write buffer passes its high-water mark this side stops reading, and reading resumes when
 * that buffer drains, so a slow reader bounds the memory held for it.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);

    private final TcpConnection connection;
    private final boolean fromClient;

    RelayHandler(TcpConnection connection, boolean fromClient) {
        this.connection = connection;
        this.fromClient = fromClient;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.active();
        Channel peer = connection.peerOf(ctx.channel());
        if (msg instanceof ByteBuf buf) {
            int n = buf.readableBytes();
            if (fromClient) {
                connection.backend().addBytesToEndpoint(n);
                connection.stats().addBytesToEndpoints(n);
            } else {
                connection.backend().addBytesFromEndpoint(n);
                connection.stats().addBytesFromEndpoints(n);
            }
        }
        // A failed write fires exceptionCaught on the peer, which resets both sides.
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.peerOf(ctx.channel()).flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            Channel peer = connection.peerOf(ctx.channel());
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.inputShutdown(ctx.channel());
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.closed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.atDebug().setCause(cause).addKeyValue("endpoint", connection.backend())
                    .addKeyValue("side", fromClient ? "client" : "endpoint").log("connection reset");
        } else {
            LOG.atWarn().setCause(cause).addKeyValue("endpoint", connection.backend())
                    .addKeyValue("side", fromClient ? "client" : "endpoint").log("relay error; resetting connection");
        }
        connection.reset();
    }
}
