package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
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
final class Http1ServerHandler extends ChannelInboundHandlerAdapter implements Downstream {

    static final int HEAD_TIMEOUT_SECONDS = 10;
    static final int IDLE_SECONDS = 60;

    private final HttpContext http;
    private final VirtualAddress address;
    private final InetSocketAddress client;
    private Channel channel;
    private Exchange current;
    private boolean receivingBody;
    private boolean http11 = true;
    private boolean closing;
    private boolean waitingForHead = true;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private ScheduledFuture<?> timer;

    Http1ServerHandler(HttpContext http, VirtualAddress address, InetSocketAddress client) {
        this.http = http;
        this.address = address;
        this.client = client;
    }

    /** A handler placed before the decoder that notices the first byte of each request head. */
    ChannelHandler headWatcher() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (waitingForHead && current == null) {
                    startTimer(HEAD_TIMEOUT_SECONDS, true);
                    waitingForHead = false;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        startTimer(IDLE_SECONDS, false);
    }

    private void startTimer(long seconds, boolean head) {
        cancelTimer();
        timer = channel.eventLoop().schedule(() -> {
            if (current != null || closing) {
                return;
            }
            if (head) {
                refuse(HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time\n");
            } else {
                channel.close();
            }
        }, seconds, TimeUnit.SECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && !receivingBody) {
            // A pipelined request: it waits until the current one is answered.
            queued.add(msg);
            channel.config().setAutoRead(false);
            return;
        }
        process(msg);
    }

    private void process(Object msg) {
        if (msg instanceof HttpRequest req) {
            cancelTimer();
            if (req.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                Throwable cause = req.decoderResult().cause();
                if (cause instanceof TooLongHttpLineException) {
                    refuse(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long\n");
                } else if (cause instanceof TooLongHttpHeaderException) {
                    refuse(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large\n");
                } else {
                    refuse(HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage() + "\n");
                }
                return;
            }
            http11 = req.protocolVersion().equals(HttpVersion.HTTP_1_1);
            if (http11 && !req.headers().contains(HttpHeaderNames.HOST)) {
                ReferenceCountUtil.release(msg);
                refuse(HttpResponseStatus.BAD_REQUEST, "HTTP/1.1 request without Host\n");
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
                receivingBody = false;
                if (current != null && !current.isDone()) {
                    // No further request is read until this one is answered.
                    channel.config().setAutoRead(false);
                }
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    /** Answers with an error of our own and closes the connection. */
    private void refuse(HttpResponseStatus status, String text) {
        closing = true;
        cancelTimer();
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
        if (!reusable || closing) {
            closing = true;
            releaseQueued();
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        waitingForHead = true;
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
        if (current == null) {
            startTimer(IDLE_SECONDS, false);
            channel.config().setAutoRead(true);
        } else if (receivingBody) {
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
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) {
            current.downstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
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
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public InetSocketAddress client() {
        return client;
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

    @Override
    public void setReadable(boolean readable) {
        if (receivingBody) {
            channel.config().setAutoRead(readable);
        }
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
    public void tunnel(Channel upstream) {
        current = null;
        closing = true;
        cancelTimer();
        Tunnel.install(channel, upstream);
        channel.pipeline().remove(this);
        channel.pipeline().remove(HttpResponseEncoder.class);
        channel.pipeline().remove(StrictRequestDecoder.class);
        channel.pipeline().remove("head-watch");
        upstream.pipeline().remove(io.netty.handler.codec.http.HttpClientCodec.class);
    }
}
