package io.switchboard.dataplane.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;

/**
 * Sits between an HTTP/2 client connection's frame codec and its stream handlers and counts the
 * streams the client resets against its address's {@link ClientResetBudget}; over budget, the
 * connection ends with GOAWAY {@code ENHANCE_YOUR_CALM}, as Netty does for one connection's flood.
 */
final class Http2ResetGuard extends ChannelInboundHandlerAdapter {

    private final ClientResetBudget budget;
    private final InetAddress client;
    private boolean closing;

    Http2ResetGuard(ClientResetBudget budget, InetAddress client) {
        this.budget = budget;
        this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2ResetFrame && !budget.tryReset(client)) {
            ReferenceCountUtil.release(msg);
            if (!closing) {
                closing = true;
                ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
