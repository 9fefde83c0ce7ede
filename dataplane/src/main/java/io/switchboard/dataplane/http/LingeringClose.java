package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
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
 * that was refused mid-flood always has input in flight. So a close first lets everything written
 * so far reach the socket, then shuts the output down (the client sees it all, then FIN), then reads
 * and discards what still arrives, and closes once the client closes its side or after
 * {@value #LINGER_MILLIS} ms, whichever is first. The output is shut only once the writes before it
 * have completed: a shutdown fails the writes still queued, and on io_uring a flush returns before
 * its bytes are written, so shutting down right after it lost the GOAWAY itself.
 * Sits first in the pipeline, next to the socket.
 */
final class LingeringClose extends ChannelDuplexHandler {

    /** The longest a closing connection keeps reading to let the client see its end. */
    static final long LINGER_MILLIS = 2000;

    private ChannelPromise closing;
    private ScheduledFuture<?> timeout;
    private boolean inputShut;
    private boolean outputShut;
    private boolean finished;

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closing != null) {
            closing.addListener(f -> promise.trySuccess());
            return;
        }
        if (!ctx.channel().isActive() || !(ctx.channel() instanceof DuplexChannel duplex)) {
            ctx.close(promise);
            return;
        }
        closing = promise;
        timeout = ctx.executor().schedule(() -> finish(ctx), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        // Completes once every write queued before it has: only then is nothing left for a shutdown to
        // fail. The rest runs as a task of its own: the listener runs while the channel removes what one
        // system call wrote, and a shutdown failing the writes after this one there (frames the codec
        // wrote after asking to close) pulls them from under that loop (an AssertionError with -ea).
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            boolean success = f.isSuccess();
            ctx.executor().execute(() -> written(ctx, duplex, success));
        });
    }

    /** What was written before the close is on the wire (or failed): FIN follows, or the close if input is over. */
    private void written(ChannelHandlerContext ctx, DuplexChannel duplex, boolean success) {
        if (finished) {
            return;
        }
        if (!success || inputShut) {
            finish(ctx);
            return;
        }
        outputShut = true;
        duplex.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                finish(ctx);
            }
        });
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
                // Before the output is shut, the pending writes still go out first (written() closes).
                if (outputShut) {
                    finish(ctx);
                }
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
        if (closing != null && !finished) {
            // Closed some other way (the client reset) while lingering: the close asked for is done.
            // Once handed to the channel the promise is the channel's to complete: io_uring completes
            // it when its close finishes and, finding it completed already, throws from the event loop
            // before it lets go of the socket's registration.
            finished = true;
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
