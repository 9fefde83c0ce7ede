package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;

/**
 * Where an {@link Exchange} sends its response: one HTTP/1.1 connection (one request at a time) or
 * one HTTP/2 stream. Called on the event loop that owns it.
 */
interface Downstream {

    EventLoop eventLoop();

    /** The client's address. */
    InetSocketAddress client();

    /** What this client adds to forwarding headers, worked out once per connection. */
    HeaderRules.Forwarding forwarding();

    /** Writes a response object (not flushed). */
    void write(HttpObject msg);

    /**
     * Frames and writes the head of a response relayed from an endpoint (not flushed); returns
     * whether the client connection may carry another request after it.
     *
     * @param hasBody        whether a body follows
     * @param keepAlive      whether the exchange meant to keep the connection
     * @param requestVersion the request's HTTP version
     */
    boolean writeResponseHead(HttpResponse head, boolean hasBody, boolean keepAlive, HttpVersion requestVersion);

    /** Writes the last part of a relayed response (not flushed). */
    void writeLast(LastHttpContent last);

    /** Writes an interim (1xx) response (not flushed). */
    void writeInterim(HttpResponse interim);

    /** Flushes what was written. */
    void flush();

    /** False while the client's buffer is above its high-water mark. */
    boolean isWritable();

    /** Stops or resumes reading the request body (backpressure towards the client). */
    void setReadable(boolean readable);

    /** True when the response may use chunked framing (an HTTP/1.1 client, or HTTP/2 which needs none). */
    boolean chunkedAllowed();

    /** True for an HTTP/2 client: no HTTP/1 framing headers at all. */
    boolean isHttp2();

    /** The exchange is over; {@code reusable} tells whether the client connection may carry another. */
    void exchangeDone(Exchange exchange, boolean reusable);

    /** The response started but cannot be completed: abort the client's connection or stream. */
    void abort();

    /**
     * The endpoint accepted a protocol switch (101): from now on bytes are tunnelled between the
     * client and {@code upstream}, closed after {@code idleTimeoutNanos} without traffic (0: never).
     * Only HTTP/1.1 clients can do this.
     */
    void tunnel(Channel upstream, long idleTimeoutNanos);
}
