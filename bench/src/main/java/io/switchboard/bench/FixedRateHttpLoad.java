package io.switchboard.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop HTTP/1.1 load generator for {@code bench/http.sh}: latency at a fixed request rate, without
 * coordinated omission.
 *
 * <pre>
 * FixedRateHttpLoad HOST:PORT CONNS RATE SECONDS [WARMUP_SECONDS]
 * </pre>
 *
 * One event loop (epoll where available) holds CONNS keep-alive connections and sends {@code GET /} at RATE
 * requests per second in total, for WARMUP_SECONDS (not recorded) and then SECONDS (recorded). The rule:
 * request {@code i}'s intended send time is {@code start + i / RATE} ({@link FixedRateSchedule}); when it
 * comes due and no connection is free, it waits in a queue; its latency is measured from its intended send
 * time, not from when it was actually sent, to the end of its response. A target that stalls therefore
 * charges the stall to every request scheduled during it, as a real client at that rate would see it,
 * instead of the generator quietly sending less (what a closed-loop tool such as wrk does).
 *
 * <p>Every latency of the recorded phase is kept (at most RATE x SECONDS values); requests still unanswered
 * two seconds after the last is due are counted as incomplete. Prints one line of {@code key=value} pairs:
 * {@code sent completed errors incomplete p50_ms p90_ms p99_ms p999_ms max_ms send_lag_max_ms}, the last
 * being the most any recorded request was sent after its intended time (the queue plus the generator's own
 * delay). A non-2xx response or a connection lost with a request on it is an error; its latency is not kept.
 *
 * <p>With {@code -Dtimeline=FILE} (and optionally {@code -Dtimeline.bucketMillis=N}, default 10) it also
 * writes a {@link StallTimeline} of the recorded phase, so a stall can be put beside the target's logs.
 */
public final class FixedRateHttpLoad {

    private FixedRateHttpLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: FixedRateHttpLoad HOST:PORT CONNS RATE SECONDS [WARMUP_SECONDS]");
        }
        int colon = args[0].lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(args[0].substring(0, colon),
                Integer.parseInt(args[0].substring(colon + 1)));
        int conns = Integer.parseInt(args[1]);
        long rate = Long.parseLong(args[2]);
        long seconds = Long.parseLong(args[3]);
        long warmup = args.length > 4 ? Long.parseLong(args[4]) : 0;
        if (rate * seconds > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("RATE x SECONDS must fit one array of latencies");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            String timelineFile = System.getProperty("timeline");
            int bucketMillis = timelineFile == null ? 0 : Integer.getInteger("timeline.bucketMillis", 10);
            if (timelineFile != null && bucketMillis < 1) {
                throw new IllegalArgumentException("-Dtimeline.bucketMillis must be at least 1, not " + bucketMillis);
            }
            OpenLoopHttpClient client = new OpenLoopHttpClient(group.next(), target, conns, rate, warmup, seconds,
                    bucketMillis);
            OpenLoopHttpClient.Totals t = client.run().get();
            System.out.println(line(rate, conns, t));
            if (timelineFile != null) {
                t.timeline().write(Path.of(timelineFile));
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static String line(long rate, int conns, OpenLoopHttpClient.Totals t) {
        long[] sorted = t.latencies().sorted();
        return String.format(Locale.ROOT,
                "rate=%d conns=%d sent=%d completed=%d errors=%d incomplete=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
                        + "p999_ms=%.3f max_ms=%.3f send_lag_max_ms=%.3f",
                rate, conns, t.sent(), t.completed(), t.errors(), t.sent() - t.completed() - t.errors(),
                ms(LatencyRecorder.percentile(sorted, 50)), ms(LatencyRecorder.percentile(sorted, 90)),
                ms(LatencyRecorder.percentile(sorted, 99)), ms(LatencyRecorder.percentile(sorted, 99.9)),
                ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]), ms(t.maxSendLagNanos()));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
