package io.switchboard.dataplane.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection the way nginx's lingering close does, so the client reads the last
 * thing said (a GOAWAY saying why) instead of a TCP reset. Closing a socket with unread input makes
 * the kernel send RST, and a client that gets RST may discard what it had not read yet; a client
 * that was refused mid-flood always has input in flight. So a close first shuts the output down
 * (the client sees everything written, then FIN), then reads and discards what still arrives, and
 * closes once the client closes its side or after {@value #LINGER_MILLIS} ms, whichever is first.
 * Sits first in the pipeline, next to the socket.
 */
final class LingeringClose extends ChannelDuplexHandler {

    /** The longest a closing connection keeps reading to let the client see its end. */
    static final long LINGER_MILLIS = 2000;

    private ChannelPromise closing;
    private ScheduledFuture<?> timeout;
    private boolean inputShut;
    private boolean finished;

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closing != null) {
            closing.addListener(f -> promise.trySuccess());
            return;
        }
        if (inputShut || !ctx.channel().isActive() || !(ctx.channel() instanceof DuplexChannel duplex)) {
            ctx.close(promise);
            return;
        }
        closing = promise;
        ctx.flush();
        duplex.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                finish(ctx);
            }
        });
        timeout = ctx.executor().schedule(() -> finish(ctx), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing != null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (closing != null) {
                finish(ctx);
                return;
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (closing != null) {
            closing.trySuccess();
        }
        super.channelInactive(ctx);
    }

    private void finish(ChannelHandlerContext ctx) {
        if (finished) {
            return;
        }
        finished = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.close(closing);
    }
}
