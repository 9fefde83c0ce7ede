package io.switchboard.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The event-loop side of {@link FixedRateHttpLoad}: CONNS keep-alive connections, one request at a time on
 * each, fed from the schedule in order. All state is touched only on the one event loop.
 */
final class OpenLoopHttpClient {

    /** What the recorded phase came to. */
    record Totals(long sent, long completed, long errors, long maxSendLagNanos, LatencyRecorder latencies,
            StallTimeline timeline) {
    }

    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final EventLoop loop;
    private final InetSocketAddress target;
    private final int conns;
    private final long rate;
    private final long warmupCount;
    private final long total;
    private final ByteBuf request;
    private final Bootstrap bootstrap;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final LatencyRecorder latencies;
    private final CompletableFuture<Totals> result = new CompletableFuture<>();
    private final long seconds;
    private final int bucketMillis;
    private FixedRateSchedule schedule;
    private StallTimeline timeline;
    private long next;
    private long outstanding;
    private long sent;
    private long completed;
    private long errors;
    private long maxSendLagNanos;
    private int connected;
    private boolean tickPending;

    /** @param bucketMillis the width of the {@link StallTimeline}'s buckets, or 0 for no timeline */
    OpenLoopHttpClient(EventLoop loop, InetSocketAddress target, int conns, long rate, long warmupSeconds,
            long seconds, int bucketMillis) {
        this.loop = loop;
        this.seconds = seconds;
        this.bucketMillis = bucketMillis;
        this.target = target;
        this.conns = conns;
        this.rate = rate;
        this.warmupCount = rate * warmupSeconds;
        this.total = warmupCount + rate * seconds;
        this.latencies = new LatencyRecorder((int) (rate * seconds));
        String host = target.getHostString() + ":" + target.getPort();
        this.request = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
                "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: FixedRateHttpLoad\r\n\r\n", StandardCharsets.US_ASCII));
        this.bootstrap = new Bootstrap().group(loop)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder(), new Connection());
                    }
                });
    }

    /** Connects, runs the schedule and completes with the totals once every request is answered or the grace is over. */
    CompletableFuture<Totals> run() {
        loop.execute(() -> {
            for (int i = 0; i < conns; i++) {
                connect();
            }
        });
        return result;
    }

    private void connect() {
        bootstrap.connect(target).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() && schedule == null) {
                result.completeExceptionally(f.cause());
            }
        });
    }

    private void connected(Connection c) {
        idle.add(c);
        if (schedule == null && ++connected == conns) {
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            schedule = new FixedRateSchedule(start, rate, total);
            if (bucketMillis > 0) {
                long recordedStart = schedule.intendedNanos(warmupCount);
                timeline = new StallTimeline(recordedStart,
                        System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(recordedStart - System.nanoTime()),
                        seconds, bucketMillis);
            }
            loop.schedule(this::finish, schedule.intendedNanos(total) - System.nanoTime() + GRACE_NANOS,
                    TimeUnit.NANOSECONDS);
        }
        pump();
    }

    /** Sends every due request that a free connection can take, then arms the timer for the next one due. */
    private void pump() {
        if (schedule == null || result.isDone()) {
            return;
        }
        long now = System.nanoTime();
        long due = schedule.dueBy(now);
        while (next < due && !idle.isEmpty()) {
            long i = next++;
            if (i >= warmupCount) {
                sent++;
                maxSendLagNanos = Math.max(maxSendLagNanos, now - schedule.intendedNanos(i));
            }
            outstanding++;
            idle.poll().send(i);
        }
        if (next == total && outstanding == 0) {
            finish();
        } else if (due < total && !tickPending) {
            tickPending = true;
            long fireAt = schedule.intendedNanos(due);
            loop.schedule(() -> {
                tickPending = false;
                if (timeline != null) {
                    long at = System.nanoTime();
                    timeline.timerLate(at, at - fireAt);
                }
                pump();
            }, fireAt - now, TimeUnit.NANOSECONDS);
        }
    }

    private void done(long i, boolean ok, long endNanos) {
        outstanding--;
        if (i >= warmupCount) {
            if (ok) {
                completed++;
                long intended = schedule.intendedNanos(i);
                latencies.record(endNanos - intended);
                if (timeline != null) {
                    timeline.latency(intended, endNanos - intended);
                }
            } else {
                errors++;
            }
        }
    }

    private void finish() {
        if (result.complete(new Totals(sent, completed, errors, maxSendLagNanos, latencies, timeline))) {
            for (Connection c : new ArrayList<>(idle)) {  // a copy: closing one removes it from idle
                c.ctx.close();
            }
        }
    }

    /** One keep-alive connection: at most one request on it at a time. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        private long inFlight = -1;
        private boolean ok;
        private boolean keepAlive;

        void send(long i) {
            inFlight = i;
            ctx.writeAndFlush(request.duplicate(), ctx.voidPromise());
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            connected(this);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    int status = response.status().code();
                    ok = status >= 200 && status < 300 && response.decoderResult().isSuccess();
                    keepAlive = HttpUtil.isKeepAlive(response);
                }
                if (msg instanceof LastHttpContent && inFlight >= 0) {
                    long i = inFlight;
                    inFlight = -1;
                    done(i, ok, System.nanoTime());
                    if (keepAlive) {
                        idle.add(this);
                    } else {
                        ctx.close();
                    }
                    pump();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idle.remove(this);
            if (inFlight >= 0) {
                done(inFlight, false, 0);
                inFlight = -1;
            }
            if (!result.isDone()) {
                connect();
                pump();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
