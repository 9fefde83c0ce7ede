package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.routing.VirtualAddress;
import java.net.InetSocketAddress;

/**
 * One HTTP/2 stream from a client: one request, one exchange. Flow control holds end to end: while
 * the endpoint side is backed up this stream is not read, so its window is not replenished.
 */
final class Http2StreamServerHandler extends ChannelDownstream {

    private Exchange exchange;

    Http2StreamServerHandler(HttpContext http, VirtualAddress address, InetSocketAddress client,
                             HeaderRules.Forwarding forwarding) {
        super(http, address, client, forwarding);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req && exchange == null) {
            exchange = new Exchange(http, this, address);
            exchange.onRequestHead(req, !(msg instanceof FullHttpRequest));
            return;
        }
        if (msg instanceof HttpContent c && exchange != null) {
            exchange.onRequestContent(c);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.flushUpstream();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.downstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientGone();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void setReadable(boolean readable) {
        channel.config().setAutoRead(readable);
    }

    @Override
    public boolean writeResponseHead(HttpResponse head, boolean hasBody, boolean keepAlive, HttpVersion requestVersion) {
        write(head);
        return true;
    }

    @Override
    public void writeLast(LastHttpContent last) {
        write(last);
    }

    @Override
    public void writeInterim(HttpResponse interim) {
        Http1Framing.writeInterimHttp2(interim, this::write);
    }

    @Override
    public boolean chunkedAllowed() {
        return true;
    }

    @Override
    public boolean isHttp2() {
        return true;
    }

    @Override
    public void exchangeDone(Exchange e, boolean reusable) {
        // The stream ends with the response's last frame. A request still unfinished (answered early,
        // say its body timed out) would hold a stream slot: reset it, as RFC 9113 section 8.1 allows.
        if (!e.requestComplete()) {
            channel.close();
        }
    }

    @Override
    public void abort() {
        channel.close();
    }

    @Override
    public void tunnel(Channel upstream, long idleTimeoutNanos) {
        upstream.close();
        channel.close();
    }
}
