package io.switchboard.dataplane.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.switchboard.routing.VirtualAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream side of one HTTP/2 client connection: sits after the frame codec and gives each
 * client stream a {@link Http2ClientStream}, found by stream id, instead of a child channel and
 * pipeline of its own (the per-stream cost that held HTTP/2 at half of HAProxy's rate). Writes of
 * every stream share one flush, run once the event loop has handled what is ready, so responses
 * finishing together leave in one write.
 */
final class Http2ClientConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http2ClientConnection.class);

    private final HttpContext http;
    private final VirtualAddress address;
    private final InetSocketAddress client;
    private final HeaderRules.Forwarding forwarding;
    private final IntObjectMap<Http2ClientStream> streams = new IntObjectHashMap<>();
    /** Streams that received frames in the current read batch, told when it ends. */
    private final List<Http2ClientStream> readThisBatch = new ArrayList<>();
    private final Runnable flushTask = this::flushNow;
    private ChannelHandlerContext ctx;
    private Http2FrameCodec codec;
    private boolean flushPending;

    Http2ClientConnection(HttpContext http, VirtualAddress address, InetSocketAddress client,
                          HeaderRules.Forwarding forwarding) {
        this.http = http;
        this.address = address;
        this.client = client;
        this.forwarding = forwarding;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.codec = ctx.pipeline().get(Http2FrameCodec.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http2StreamFrame frame) || frame.stream() == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int id = frame.stream().id();
        Http2ClientStream s = streams.get(id);
        try {
            dispatch(frame, id, s);
        } catch (RuntimeException e) {
            // One stream's failure is that stream's: it is reset, the connection and its other streams go on.
            LOG.atWarn().addKeyValue("client", client).addKeyValue("stream", id).setCause(e)
                    .log("HTTP/2 stream failed");
            Http2ClientStream failed = streams.get(id);
            if (failed != null) {
                failed.reset(Http2Error.INTERNAL_ERROR);
            } else {
                reset(frame.stream(), Http2Error.INTERNAL_ERROR);
            }
        }
    }

    private void dispatch(Http2StreamFrame frame, int id, Http2ClientStream s) {
        if (frame instanceof Http2HeadersFrame headers) {
            if (s == null) {
                s = new Http2ClientStream(this, frame.stream());
                streams.put(id, s);
            }
            batch(s);
            try {
                s.onHeaders(headers, http, address);
            } catch (Http2Exception e) {
                LOG.atDebug().addKeyValue("client", client).addKeyValue("stream", id)
                        .log("malformed HTTP/2 request: {}", e.getMessage());
                s.reset(Http2Error.PROTOCOL_ERROR);
            }
        } else if (frame instanceof Http2DataFrame data) {
            if (s == null) {
                // A stream already forgotten (reset by us): its bytes still count against the window.
                returnBytes(frame.stream(), data.initialFlowControlledBytes());
                data.release();
                return;
            }
            batch(s);
            s.onData(data);
        } else if (frame instanceof Http2ResetFrame) {
            if (s != null) {
                forget(s, id);
            }
        } else {
            ReferenceCountUtil.release(frame);
        }
    }

    private void batch(Http2ClientStream s) {
        if (!s.readInBatch) {
            s.readInBatch = true;
            readThisBatch.add(s);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Indexed: a stream's try may start here and, failing at once, answer and end its stream.
        for (int i = 0; i < readThisBatch.size(); i++) {
            Http2ClientStream s = readThisBatch.get(i);
            try {
                s.readBatchDone();
            } catch (RuntimeException e) {
                // As for a frame: one stream's failure resets that stream; the batch goes on.
                LOG.atWarn().addKeyValue("client", client).addKeyValue("stream", s.id()).setCause(e)
                        .log("HTTP/2 stream failed");
                s.reset(Http2Error.INTERNAL_ERROR);
            }
        }
        readThisBatch.clear();
        flushNow();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof Http2FrameStreamEvent e) {
            Http2ClientStream s = streams.get(e.stream().id());
            if (s != null) {
                if (e.type() == Http2FrameStreamEvent.Type.Writability) {
                    s.writabilityChanged();
                } else if (e.stream().state() == Http2Stream.State.CLOSED) {
                    forget(s, e.stream().id());
                }
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException e) {
            if (e.stream().state() == Http2Stream.State.CLOSED) {
                // Frames written but still waiting in the flow controller failed as their stream closed
                // (the client reset it, the connection went away): the void promise fired that, and the
                // codec took it for an error in what the client sent. Nothing to answer: a reset now
                // would answer the client's RST_STREAM with one of ours (RFC 9113 section 5.4.2), count
                // against Netty's limit of resets sent, or go to a closed channel (a WARN per stream).
                return;
            }
            // A stream error the codec found in what the client sent (say a bad content-length), or a
            // write it refused (a head too large for the client): that stream alone is reset.
            Http2ClientStream s = streams.get(e.stream().id());
            LOG.atDebug().addKeyValue("client", client).addKeyValue("stream", e.stream().id())
                    .addKeyValue("error", e.error()).log("HTTP/2 stream error from the client: {}", cause.getMessage());
            if (s != null) {
                s.reset(e.error());
            } else {
                reset(e.stream(), e.error());
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        List<Http2ClientStream> open = new ArrayList<>(streams.values());
        streams.clear();
        open.forEach(Http2ClientStream::closed);
        ctx.fireChannelInactive();
    }

    private void forget(Http2ClientStream s, int id) {
        streams.remove(id);
        s.closed();
    }

    EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    InetSocketAddress client() {
        return client;
    }

    HeaderRules.Forwarding forwarding() {
        return forwarding;
    }

    void write(Http2StreamFrame frame) {
        ctx.write(frame, ctx.voidPromise());
    }

    /** Writes {@code frame}; the future completes once it is sent (or failed, the stream reset meanwhile). */
    ChannelFuture writeTracked(Http2StreamFrame frame) {
        return ctx.write(frame);
    }

    /** Flushes once the event loop is done with what is ready now; writes meanwhile join the flush. */
    void flushSoon() {
        if (!flushPending) {
            flushPending = true;
            ctx.executor().execute(flushTask);
        }
    }

    private void flushNow() {
        flushPending = false;
        ctx.flush();
    }

    /** Whether both the connection and the client's window for {@code stream} can take more. */
    boolean isWritable(Http2FrameStream stream) {
        if (!ctx.channel().isWritable()) {
            return false;
        }
        Http2Stream s = codec.connection().stream(stream.id());
        return s != null && codec.connection().remote().flowController().isWritable(s);
    }

    /** Gives {@code bytes} received on {@code stream} back to the client's windows. */
    void returnBytes(Http2FrameStream stream, int bytes) {
        if (codec.connection().stream(stream.id()) != null) {
            ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(stream), ctx.voidPromise());
        }
    }

    /** Resets {@code stream} after what was written on it has been sent. */
    void reset(Http2FrameStream stream, Http2Error error) {
        streams.remove(stream.id());
        // Frames written but not flushed wait in the flow controller, and a reset would discard them:
        // an answer written just before (a 408, say) must reach the client first.
        flushNow();
        if (codec.connection().stream(stream.id()) != null) {
            ctx.write(new DefaultHttp2ResetFrame(error).stream(stream), ctx.voidPromise());
            flushSoon();
        }
    }
}
