package io.switchboard.dataplane.udp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.routing.VirtualAddress;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads client datagrams on a listener bound to one Service address and hands them to its loop's flow table. */
public final class UdpListenerHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UdpListenerHandler.class);

    private final VirtualAddress address;
    private final Map<io.netty.channel.EventLoop, UdpFlowTable> tables;
    private UdpFlowTable table;

    /** A handler for a listener bound to {@code address}. */
    public UdpListenerHandler(VirtualAddress address, Map<io.netty.channel.EventLoop, UdpFlowTable> tables) {
        this.address = address;
        this.tables = tables;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        table = tables.get(ctx.channel().eventLoop());
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            DatagramPacket p = (DatagramPacket) msg;
            table.fromClient(ctx.channel(), address, p.sender(), p.content());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        table.flushUpstreams();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A listener is unconnected: errors concern one datagram, never the socket.
        LOG.atDebug().setCause(cause).addKeyValue("listener", address).log("datagram error");
    }
}
