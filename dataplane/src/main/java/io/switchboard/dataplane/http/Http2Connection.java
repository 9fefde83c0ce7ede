package io.switchboard.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.switchboard.routing.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** One HTTP/2 connection to an endpoint; each request is a stream on it. */
final class Http2Connection {

    private final Backend backend;
    private Channel channel;
    private Http2FrameCodec codec;
    private boolean closed;
    private int activeStreams;
    /** When the last stream closed, for the pool's idle sweep. */
    private long idleSince = System.nanoTime();
    private final List<Runnable> waiting = new ArrayList<>();
    private final List<Consumer<Throwable>> waitingFailures = new ArrayList<>();

    Http2Connection(Backend backend) {
        this.backend = backend;
    }

    boolean isClosed() {
        return closed || (channel != null && !channel.isActive());
    }

    int activeStreams() {
        return activeStreams;
    }

    /** True while the endpoint allows another stream on this connection. */
    boolean hasCapacity() {
        if (isClosed()) {
            return false;
        }
        if (codec == null) {
            return activeStreams + waiting.size() < 100;
        }
        var local = codec.connection().local();
        return local.canOpenStream() && activeStreams < local.maxActiveStreams();
    }

    void openStream(Consumer<UpstreamStream> ok, Consumer<Throwable> failed) {
        activeStreams++;
        Runnable open = () -> new Http2StreamChannelBootstrap(channel)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false));
                    }
                })
                .open()
                .addListener(f -> {
                    if (f.isSuccess()) {
                        Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                        Http2Upstream up = new Http2Upstream(stream, backend, this);
                        stream.pipeline().addLast(up.handler());
                        ok.accept(up);
                    } else {
                        activeStreams--;
                        failed.accept(f.cause());
                    }
                });
        if (channel != null) {
            open.run();
        } else {
            waiting.add(open);
            waitingFailures.add(e -> {
                activeStreams--;
                failed.accept(e);
            });
        }
    }

    void connected(Channel ch, Http2FrameCodec frameCodec) {
        this.channel = ch;
        this.codec = frameCodec;
        waitingFailures.clear();
        List<Runnable> run = new ArrayList<>(waiting);
        waiting.clear();
        run.forEach(Runnable::run);
    }

    void failed(Throwable error) {
        closed = true;
        List<Consumer<Throwable>> fail = new ArrayList<>(waitingFailures);
        waiting.clear();
        waitingFailures.clear();
        fail.forEach(f -> f.accept(error));
    }

    void streamClosed() {
        activeStreams--;
        if (activeStreams == 0) {
            idleSince = System.nanoTime();
        }
    }

    /** True when connected, without streams, for at least {@code limitNanos}. */
    boolean idleLongerThan(long now, long limitNanos) {
        return channel != null && activeStreams == 0 && now - idleSince >= limitNanos;
    }

    /** Closes the connection; returns the close's future, or null before it connected. */
    ChannelFuture close() {
        closed = true;
        return channel != null ? channel.close() : null;
    }
}
