package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.dataplane.DrainEvent;
import io.switchboard.routing.VirtualAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 client connection. Requests are handled one at a time and answered in order:
 * pipelined requests wait (decoded, or unread in the socket) until the one before has its response.
 * A malformed or ambiguous request gets its 4xx and the connection closes; a request head that does
 * not arrive within {@value #HEAD_TIMEOUT_SECONDS} s of its first byte gets 408; an idle keep-alive
 * connection closes after {@value #IDLE_SECONDS} s.
 */
final class Http1ServerHandler extends ChannelDownstream {

    static final int HEAD_TIMEOUT_SECONDS = 10;
    static final int IDLE_SECONDS = 60;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
    /**
     * While draining, an idle connection closes after this long without a request: long enough that a
     * client's next request is rarely in flight as it closes, short enough not to hold the drain.
     */
    private static final long DRAIN_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private Exchange current;
    private boolean receivingBody;
    private boolean http11 = true;
    private boolean closing;
    /** An exchange ended while the client was not reading: nothing more is served until it drains. */
    private boolean waitingWritable;
    private boolean draining;
    /** The client sent nothing more after its last request (a half-close): close once it is answered. */
    private boolean inputClosed;
    /** Bytes of a request head have arrived and the head is not decoded yet. */
    private boolean headStarted;
    /** When the connection last became idle (no exchange), for the idle timeout. */
    private long idleSince;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> headTimer;

    Http1ServerHandler(HttpContext http, VirtualAddress address, InetSocketAddress client) {
        super(http, address, client, HeaderRules.Forwarding.of(client, "http"));
    }

    /** A handler placed before the decoder that notices the first byte of each request head. */
    ChannelHandler headWatcher() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (current == null && !headStarted) {
                    headStarted = true;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        idleSince = System.nanoTime();
        scheduleIdleCheck(IDLE_NANOS);
    }

    /**
     * One idle check per connection, re-armed for the remaining time when it fires, rather than a
     * timer scheduled and cancelled around every request.
     */
    private void scheduleIdleCheck(long delayNanos) {
        idleTimer = channel.eventLoop().schedule(this::idleCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void idleCheck() {
        if (closing || !channel.isActive()) {
            return;
        }
        long limit = draining ? DRAIN_IDLE_NANOS : IDLE_NANOS;
        long idle = System.nanoTime() - idleSince;
        if (current == null && !headStarted && idle >= limit) {
            channel.close();
            return;
        }
        scheduleIdleCheck(current == null && !headStarted ? limit - idle : limit);
    }

    /**
     * Starts the head timer when a read ended with a request head begun but not complete; a head
     * that arrives whole in one read (the usual case) never schedules one.
     */
    private void armHeadTimerIfPartial() {
        if (headStarted && current == null && headTimer == null && !closing) {
            headTimer = channel.eventLoop().schedule(() -> {
                headTimer = null;
                if (headStarted && current == null && !closing) {
                    refuse(HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time\n");
                }
            }, HEAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void cancelTimers() {
        cancelHeadTimer();
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if ((current != null && !receivingBody) || waitingWritable) {
            // A pipelined request: it waits until the current one is answered (and, when the client
            // is not reading, until what was written to it has drained).
            queued.add(msg);
            channel.config().setAutoRead(false);
            return;
        }
        process(msg);
    }

    private void process(Object msg) {
        if (msg instanceof HttpRequest req) {
            headStarted = false;
            cancelHeadTimer();
            if (req.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                Throwable cause = req.decoderResult().cause();
                if (cause instanceof TooLongHttpLineException) {
                    refuse(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long\n");
                } else if (cause instanceof TooLongHttpHeaderException) {
                    refuse(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large\n");
                } else if (cause instanceof StrictRequestDecoder.UnsupportedVersionException v) {
                    refuse(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, v.getMessage() + "\n");
                } else {
                    refuse(HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage() + "\n");
                }
                return;
            }
            http11 = req.protocolVersion().equals(HttpVersion.HTTP_1_1);
            RequestHeadRules.Refusal refusal = RequestHeadRules.check(req);
            if (refusal != null) {
                ReferenceCountUtil.release(msg);
                refuse(refusal.status(), refusal.text());
                return;
            }
            boolean hasBody = HttpUtil.getContentLength(req, 0L) > 0 || HttpUtil.isTransferEncodingChunked(req);
            current = new Exchange(http, this, address);
            receivingBody = true;
            current.onRequestHead(req, hasBody);
            if (msg instanceof LastHttpContent) {
                receivingBody = false;
            }
            return;
        }
        if (msg instanceof HttpContent c) {
            if (c.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                if (current != null) {
                    current.clientGone();
                    current = null;
                }
                if (c.decoderResult().cause() instanceof io.netty.handler.codec.PrematureChannelClosureException) {
                    // The client ended its side mid-body: it abandoned the request, nothing to answer.
                    abort();
                    return;
                }
                refuse(HttpResponseStatus.BAD_REQUEST, "malformed request body: "
                        + c.decoderResult().cause().getMessage() + "\n");
                return;
            }
            if (current == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            boolean last = c instanceof LastHttpContent;
            current.onRequestContent(c);
            if (last) {
                // Reading goes on while the response is awaited: a pipelined request is queued in
                // channelRead, which pauses reading only then. Pausing after every request would cost
                // two epoll_ctl calls per request.
                receivingBody = false;
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    /** Answers with an error of our own and closes the connection. */
    private void refuse(HttpResponseStatus status, String text) {
        closing = true;
        cancelTimers();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        releaseQueued();
        channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exchangeDone(Exchange exchange, boolean reusable) {
        if (exchange != current) {
            return;
        }
        current = null;
        receivingBody = false;
        if (!reusable || closing || (inputClosed && queued.isEmpty())) {
            closing = true;
            releaseQueued();
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!channel.isWritable()) {
            // The client is not reading what it was sent: the next response waits until that drains,
            // so at most one response (and the socket's buffers) is held per connection.
            waitingWritable = true;
            channel.config().setAutoRead(false);
            channel.flush();
            return;
        }
        resumeQueued();
    }

    /** Serves what was queued while an exchange ran, then reads on. */
    private void resumeQueued() {
        while (!queued.isEmpty() && current == null && !closing) {
            process(queued.poll());
        }
        while (!queued.isEmpty() && current != null && receivingBody) {
            process(queued.poll());
        }
        if (current != null) {
            // Replayed from the queue, not read: no read-complete event will flush what was written.
            current.flushUpstream();
        }
        if (current == null && inputClosed) {
            closing = true;
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (current == null) {
            idleSince = System.nanoTime();
        }
        if (!inputClosed && (current == null || receivingBody)) {
            channel.config().setAutoRead(true);
        }
    }

    private void releaseQueued() {
        Object o;
        while ((o = queued.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.flushUpstream();
        } else {
            armHeadTimerIfPartial();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.INSTANCE && !draining) {
            // The response in flight gets Connection: close (the Exchange asks the routing state);
            // an idle connection closes once idle for a moment.
            draining = true;
            if (idleTimer != null) {
                idleTimer.cancel(false);
            }
            scheduleIdleCheck(DRAIN_IDLE_NANOS);
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            if (current != null && receivingBody) {
                // The request body was cut short: it cannot be completed, so nothing is answered.
                current.clientGone();
                current = null;
                abort();
            } else if (current == null && queued.isEmpty()) {
                ctx.close();
            }
            // Otherwise the request in flight (and any queued) is answered, then the connection closes.
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) {
            current.downstreamWritable();
        }
        if (waitingWritable && ctx.channel().isWritable() && !closing) {
            waitingWritable = false;
            resumeQueued();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimers();
        if (current != null) {
            current.clientGone();
            current = null;
        }
        releaseQueued();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException d && d.getCause() instanceof StrictRequestDecoder.ObsoleteLineFoldingException
                || cause instanceof StrictRequestDecoder.ObsoleteLineFoldingException) {
            if (current != null) {
                current.clientGone();
                current = null;
            }
            refuse(HttpResponseStatus.BAD_REQUEST, "obsolete line folding is not accepted\n");
            return;
        }
        if (!(cause instanceof IOException)) {
            ctx.close();
            return;
        }
        ctx.close();
    }

    @Override
    public void setReadable(boolean readable) {
        if (receivingBody) {
            channel.config().setAutoRead(readable);
        }
    }

    @Override
    public boolean writeResponseHead(HttpResponse head, boolean hasBody, boolean keepAlive, HttpVersion requestVersion) {
        return Http1Framing.writeHead(head, hasBody, http11, keepAlive, http.state().draining(), requestVersion,
                this::write);
    }

    @Override
    public void writeLast(LastHttpContent last) {
        Http1Framing.writeLast(last, http11, this::write);
    }

    @Override
    public void writeInterim(HttpResponse interim) {
        Http1Framing.writeInterimHttp1(interim, this::write);
    }

    @Override
    public boolean chunkedAllowed() {
        return http11;
    }

    @Override
    public boolean isHttp2() {
        return false;
    }

    @Override
    public void abort() {
        closing = true;
        channel.close();
    }

    @Override
    public void tunnel(Channel upstream, long idleTimeoutNanos) {
        current = null;
        closing = true;
        cancelTimers();
        Tunnel.install(channel, upstream, idleTimeoutNanos);
        channel.pipeline().remove(this);
        channel.pipeline().remove(HttpResponseEncoder.class);
        channel.pipeline().remove(StrictRequestDecoder.class);
        channel.pipeline().remove("head-watch");
        upstream.pipeline().remove(EndpointCodec.class);
    }
}
