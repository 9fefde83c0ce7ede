package io.switchboard.dataplane.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.switchboard.dataplane.Transport;
import io.switchboard.routing.Backend;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The endpoint connections of one event loop. HTTP/1.1 connections are kept alive and reused (most
 * recently used first) up to {@value #MAX_HTTP1_PER_ENDPOINT} per endpoint; HTTP/2 connections carry
 * many streams each, a new one opening only when the others are at the endpoint's stream limit. Idle
 * connections close after {@value #IDLE_SECONDS} s, before typical server keep-alive timeouts, so a
 * reused connection is rarely one the endpoint is about to close; one sweep per loop every
 * {@value #SWEEP_SECONDS} s finds them, so requests pay nothing for idle tracking. Used on its loop only.
 */
public final class UpstreamPools {

    static final int MAX_HTTP1_PER_ENDPOINT = 1024;
    static final int IDLE_SECONDS = 30;
    static final int SWEEP_SECONDS = 5;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);

    private final EventLoop loop;
    private final Transport transport;
    private final ByteBufAllocator allocator;
    private final Map<Backend, ArrayDeque<Http1Upstream>> idle = new HashMap<>();
    private final Map<Backend, Integer> open = new HashMap<>();
    private final Map<Backend, List<Http2Connection>> http2 = new HashMap<>();
    private boolean sweeping;

    public UpstreamPools(EventLoop loop, Transport transport, ByteBufAllocator allocator) {
        this.loop = loop;
        this.transport = transport;
        this.allocator = allocator;
    }

    /** The loop these pools belong to. */
    EventLoop loop() {
        return loop;
    }

    /** Gets a path to {@code backend} for one request, calling back on this loop. */
    void acquire(Backend backend, boolean useHttp2, Duration connectTimeout, Consumer<UpstreamStream> ok,
                 Consumer<Throwable> failed) {
        if (useHttp2) {
            acquireHttp2(backend, connectTimeout, ok, failed);
            return;
        }
        ArrayDeque<Http1Upstream> free = idle.get(backend);
        while (free != null && !free.isEmpty()) {
            Http1Upstream c = free.pollLast();
            if (c.channel().isActive() && !backend.retired()) {
                c.checkedOut();
                ok.accept(c);
                return;
            }
            c.channel().close();
        }
        if (open.getOrDefault(backend, 0) >= MAX_HTTP1_PER_ENDPOINT) {
            failed.accept(new IllegalStateException("connection limit reached for " + backend));
            return;
        }
        open.merge(backend, 1, Integer::sum);
        connect(backend, connectTimeout, newHttp1Codec(), (ch, error) -> {
            if (error != null) {
                open.merge(backend, -1, Integer::sum);
                failed.accept(error);
                return;
            }
            Http1Upstream c = new Http1Upstream(ch, backend, this);
            ch.pipeline().addLast(c.handler());
            ch.closeFuture().addListener(f -> closed(c));
            c.checkedOut();
            ok.accept(c);
        });
    }

    private void acquireHttp2(Backend backend, Duration connectTimeout, Consumer<UpstreamStream> ok,
                              Consumer<Throwable> failed) {
        List<Http2Connection> conns = http2.computeIfAbsent(backend, b -> new ArrayList<>());
        conns.removeIf(Http2Connection::isClosed);
        for (Http2Connection c : conns) {
            if (c.hasCapacity()) {
                c.openStream(ok, failed);
                return;
            }
        }
        Http2Connection c = new Http2Connection(backend);
        conns.add(c);
        c.openStream(ok, failed);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(1000)
                        .initialWindowSize(1 << 20))
                // A pool closes its connections when its endpoint goes or the proxy stops: at once,
                // not after Netty's 30 s wait for open streams (their requests have already failed over).
                .gracefulShutdownTimeoutMillis(0)
                .build();
        connect(backend, connectTimeout, codec, (ch, error) -> {
            if (error != null) {
                c.failed(error);
                conns.remove(c);
                return;
            }
            ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            ch.closeFuture().addListener(f -> conns.remove(c));
            c.connected(ch, codec);
            startSweeping();
        });
    }

    /** The HTTP/1.1 client codec of an endpoint connection. */
    private static EndpointCodec newHttp1Codec() {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(8192).setMaxHeaderSize(65536)
                .setMaxChunkSize(65536).setTrailersFactory(SmallTrailers.INSTANCE)
                .setHeadersFactory(KnownHeaderNames.DECODED_HEADERS);
        return new EndpointCodec(config);
    }

    /** Connects on this loop; the endpoint's address family decides the socket's. */
    private void connect(Backend backend, Duration timeout, ChannelHandler codec, Connected done) {
        Channel ch = transport.newSocketChannel(backend.address());
        ch.config().setAllocator(allocator);
        ch.config().setOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        ch.pipeline().addLast(codec);
        loop.register(ch);
        ChannelFuture f = ch.connect(backend.socketAddress());
        f.addListener(r -> {
            if (r.isSuccess()) {
                done.accept(ch, null);
            } else {
                ch.close();
                done.accept(null, r.cause());
            }
        });
    }

    @FunctionalInterface
    private interface Connected {
        void accept(Channel channel, Throwable error);
    }

    /** An HTTP/1.1 connection finished a request and may carry another. */
    void released(Http1Upstream c, boolean reusable) {
        if (reusable && c.channel().isActive() && !c.backend().retired()) {
            c.idleSince(System.nanoTime());
            idle.computeIfAbsent(c.backend(), b -> new ArrayDeque<>()).addLast(c);
            startSweeping();
        } else {
            c.channel().close();
        }
    }

    private void closed(Http1Upstream c) {
        open.merge(c.backend(), -1, Integer::sum);
        ArrayDeque<Http1Upstream> free = idle.get(c.backend());
        if (free != null) {
            free.remove(c);
            if (free.isEmpty()) {
                idle.remove(c.backend());
            }
        }
        if (open.getOrDefault(c.backend(), 0) <= 0) {
            open.remove(c.backend());
        }
    }

    /** Closes every pooled connection; returns their close futures. */
    public List<ChannelFuture> close() {
        // Closing fires the pools' own close listeners, which edit these maps: work on copies.
        List<Http1Upstream> h1 = new ArrayList<>();
        idle.values().forEach(h1::addAll);
        List<Http2Connection> h2 = new ArrayList<>();
        http2.values().forEach(h2::addAll);
        idle.clear();
        http2.clear();
        List<ChannelFuture> closing = new ArrayList<>(h1.size() + h2.size());
        h1.forEach(c -> closing.add(c.channel().close()));
        for (Http2Connection c : h2) {
            ChannelFuture f = c.close();
            if (f != null) {
                closing.add(f);
            }
        }
        return closing;
    }

    private void startSweeping() {
        if (!sweeping) {
            sweeping = true;
            loop.schedule(this::sweep, SWEEP_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * Closes connections idle for {@value #IDLE_SECONDS} s: pooled HTTP/1.1 ones (each deque is
     * oldest first, since released connections go to its end) and HTTP/2 ones without streams.
     * Keeps sweeping while any connection remains.
     */
    private void sweep() {
        long now = System.nanoTime();
        List<Http1Upstream> expired = new ArrayList<>();
        for (ArrayDeque<Http1Upstream> free : idle.values()) {
            for (Http1Upstream c : free) {
                if (now - c.idleSince() < IDLE_NANOS) {
                    break;
                }
                expired.add(c);
            }
        }
        List<Http2Connection> expiredHttp2 = new ArrayList<>();
        for (List<Http2Connection> conns : http2.values()) {
            for (Http2Connection c : conns) {
                if (c.idleLongerThan(now, IDLE_NANOS)) {
                    expiredHttp2.add(c);
                }
            }
        }
        // Closing edits the maps through close listeners: close after iterating.
        expired.forEach(c -> c.channel().close());
        expiredHttp2.forEach(Http2Connection::close);
        http2.values().removeIf(List::isEmpty);
        sweeping = false;
        if (!idle.isEmpty() || !http2.isEmpty()) {
            startSweeping();
        }
    }
}
