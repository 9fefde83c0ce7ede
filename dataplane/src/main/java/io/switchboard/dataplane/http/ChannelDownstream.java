package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import io.switchboard.routing.VirtualAddress;
import java.net.InetSocketAddress;

/**
 * What both client sides share: the channel responses are written to (an HTTP/1.1 connection or
 * an HTTP/2 stream), the client it belongs to, and the Service address it reached.
 */
abstract class ChannelDownstream extends ChannelInboundHandlerAdapter implements Downstream {

    final HttpContext http;
    final VirtualAddress address;
    private final InetSocketAddress client;
    private final HeaderRules.Forwarding forwarding;
    /** Set when the handler joins its pipeline. */
    Channel channel;

    ChannelDownstream(HttpContext http, VirtualAddress address, InetSocketAddress client,
                      HeaderRules.Forwarding forwarding) {
        this.http = http;
        this.address = address;
        this.client = client;
        this.forwarding = forwarding;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public InetSocketAddress client() {
        return client;
    }

    @Override
    public HeaderRules.Forwarding forwarding() {
        return forwarding;
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
}
