package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.routing.VirtualAddress;
import java.net.InetSocketAddress;

/**
 * One HTTP/2 stream from a client: one request, one exchange, no channel of its own. Frames arrive
 * from its {@link Http2ClientConnection}; the response goes back as frames ({@link Http2Frames}).
 * Flow control holds end to end: while the endpoint side is backed up, the bytes this stream
 * received are not returned to the client's window, so it stops sending.
 */
final class Http2ClientStream implements Downstream {

    private final Http2ClientConnection connection;
    private final Http2FrameStream stream;
    private Exchange exchange;
    private boolean readable = true;
    /** Flow-controlled bytes received and handed on but not yet returned to the client's window. */
    private int unreturned;
    private boolean closed;
    /** Whether the response's last frame was written: the stream's close that follows is our own. */
    private boolean responseEnded;
    /** The write of the response's last frame (the one ending the stream), once made. */
    private ChannelFuture lastFrameWritten;
    /** Whether a frame arrived in the client's current read batch. */
    boolean readInBatch;

    Http2ClientStream(Http2ClientConnection connection, Http2FrameStream stream) {
        this.connection = connection;
        this.stream = stream;
    }

    /** The stream's id, for logs. */
    int id() {
        return stream.id();
    }

    /** A HEADERS frame: the request head, or (after it) the request's trailers. */
    void onHeaders(Http2HeadersFrame frame, HttpContext http, VirtualAddress address) throws Http2Exception {
        if (exchange == null) {
            HttpRequest req = Http2Frames.toRequest(stream.id(), frame.headers());
            exchange = new Exchange(http, this, address);
            exchange.onRequestHead(req, !frame.isEndStream());
        } else if (!exchange.isDone()) {
            exchange.onRequestContent(Http2Frames.toTrailers(stream.id(), frame.headers()));
        }
    }

    /** A DATA frame; its content's reference passes to the exchange. */
    void onData(Http2DataFrame frame) {
        int bytes = frame.initialFlowControlledBytes();
        if (exchange == null || exchange.isDone()) {
            frame.release();
            returnBytes(bytes);
            return;
        }
        unreturned += bytes;
        exchange.onRequestContent(frame.isEndStream() ? new DefaultLastHttpContent(frame.content())
                : new DefaultHttpContent(frame.content()));
        if (readable) {
            returnBytes(0);
        }
    }

    /** The end of the client's read batch: a deferred try starts, written request parts are sent. */
    void readBatchDone() {
        readInBatch = false;
        if (exchange != null) {
            exchange.flushUpstream();
        }
    }

    /** The stream ended on the client's side (reset, closed, or the connection went away). */
    void closed() {
        if (closed) {
            return;
        }
        closed = true;
        if (exchange != null && !responseEnded) {
            exchange.clientGone();
        }
    }

    /** The stream's writability changed: resume reading the endpoint if the client can take more. */
    void writabilityChanged() {
        if (exchange != null && isWritable()) {
            exchange.downstreamWritable();
        }
    }

    private void returnBytes(int more) {
        int n = unreturned + more;
        unreturned = 0;
        if (n > 0 && !closed) {
            connection.returnBytes(stream, n);
        }
    }

    @Override
    public EventLoop eventLoop() {
        return connection.eventLoop();
    }

    @Override
    public InetSocketAddress client() {
        return connection.client();
    }

    @Override
    public HeaderRules.Forwarding forwarding() {
        return connection.forwarding();
    }

    @Override
    public void write(HttpObject msg) {
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof LastHttpContent) {
            // Ending the stream may close it within this write, before the exchange has finished.
            responseEnded = true;
        }
        Http2Frames.writeResponse(stream, msg, this::writeFrame);
    }

    private void writeFrame(Http2StreamFrame frame) {
        if (frame instanceof Http2DataFrame d && d.isEndStream() || frame instanceof Http2HeadersFrame h && h.isEndStream()) {
            lastFrameWritten = connection.writeTracked(frame);
        } else {
            connection.write(frame);
        }
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
        if (!closed) {
            connection.write(Http2Frames.interim(stream, interim));
        }
    }

    @Override
    public void flush() {
        connection.flushSoon();
    }

    @Override
    public boolean isWritable() {
        return !closed && connection.isWritable(stream);
    }

    @Override
    public void setReadable(boolean readable) {
        this.readable = readable;
        if (readable && unreturned > 0) {
            returnBytes(0);
            connection.flushSoon();
        }
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
        // say its body timed out) would hold a stream slot: reset it, as RFC 9113 section 8.1 allows,
        // once the complete response is sent. Reset before, the part of the response still waiting for
        // the client's flow-control window would be discarded and the answer cut short.
        if (!e.requestComplete()) {
            ChannelFuture last = lastFrameWritten;
            if (last == null || last.isDone()) {
                reset(Http2Error.NO_ERROR);
            } else {
                // Failed, the stream is gone already: reset by the client, or the connection closed.
                last.addListener(f -> {
                    if (f.isSuccess()) {
                        reset(Http2Error.NO_ERROR);
                    }
                });
            }
        }
    }

    @Override
    public void abort() {
        reset(Http2Error.CANCEL);
    }

    @Override
    public void tunnel(Channel upstream, long idleTimeoutNanos) {
        upstream.close();
        reset(Http2Error.CANCEL);
    }

    /** Resets the stream towards the client and forgets it. */
    void reset(Http2Error error) {
        if (!closed) {
            connection.reset(stream, error);
            closed();
        }
    }
}
