package io.switchboard.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.PortUnreachableException;

/** Reads an endpoint's replies on a flow's socket and hands them to the flow table. */
final class UdpUpstreamHandler extends ChannelInboundHandlerAdapter {

    private final UdpFlowTable table;
    private final UdpFlow flow;

    UdpUpstreamHandler(UdpFlowTable table, UdpFlow flow) {
        this.table = table;
        this.flow = flow;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf content = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
            table.fromEndpoint(flow, content);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A connected UDP socket reports the endpoint's ICMP port unreachable as a refused read or write.
        if (cause instanceof PortUnreachableException || cause instanceof IOException) {
            table.unreachable(flow);
        }
    }
}
