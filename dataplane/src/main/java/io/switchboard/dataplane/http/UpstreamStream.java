package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;
import io.switchboard.routing.Backend;

/** One request's path to an endpoint: a pooled HTTP/1.1 connection or an HTTP/2 stream. */
interface UpstreamStream {

    Backend backend();

    /** Routes response objects and failures to {@code exchange} until released. */
    void bind(Exchange exchange);

    void write(HttpObject msg);

    void flush();

    boolean isWritable();

    /** Stops or resumes reading the response (backpressure towards the endpoint). */
    void setReadable(boolean readable);

    /** True when this stream ran on a connection that had carried requests before. */
    boolean reused();

    /**
     * The exchange is done with it: an HTTP/1.1 connection goes back to the pool when {@code reusable},
     * otherwise it is closed; an HTTP/2 stream is closed (reset if unfinished).
     */
    void release(boolean reusable);

    /** The channel, for a protocol switch; the stream leaves its pool for good. */
    Channel detach();
}
