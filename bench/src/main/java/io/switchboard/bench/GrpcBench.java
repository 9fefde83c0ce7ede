package io.switchboard.bench;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.internal.GrpcUtil;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * gRPC endpoints and a gRPC load generator for {@code bench/grpc.sh}, on grpc-java without generated
 * code: one unary method, {@code bench.Echo/Name}, over raw bytes, that answers the endpoint's name.
 *
 * <pre>
 * GrpcBench version                                   grpc-java's version
 * GrpcBench serve THREADS NAME=HOST:PORT...           one server per address, all on THREADS event loop threads
 * GrpcBench load HOST:PORT CHANNELS CALLS SECONDS WARMUP [THREADS]
 * </pre>
 *
 * {@code load} opens CHANNELS channels (one HTTP/2 connection each) and keeps CALLS unary calls
 * outstanding on each: every call that ends starts the next one. It runs WARMUP uncounted seconds,
 * then SECONDS counted, then waits up to 2 s for the calls still open. A call succeeds only when it
 * ends with status OK (grpc-status 0) and a reply; every other ending is counted by its status
 * code. Prints one line of key=value pairs: calls/s, p50/p99 latency, failures and which endpoint
 * answered how often.
 */
public final class GrpcBench {

    private GrpcBench() {
    }

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> NAME = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("bench.Echo/Name")
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "version" -> System.out.println(GrpcUtil.IMPLEMENTATION_VERSION);
            case "serve" -> serve(Integer.parseInt(args[1]), List.of(args).subList(2, args.length));
            case "load" -> load(address(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    args.length > 6 ? Integer.parseInt(args[6]) : 1);
            default -> {
                System.err.println("usage: GrpcBench version | serve THREADS NAME=HOST:PORT... | "
                        + "load HOST:PORT CHANNELS CALLS SECONDS WARMUP [THREADS]");
                System.exit(2);
            }
        }
    }

    /** Native epoll where grpc-netty-shaded has it (Linux x86_64 and aarch64), else NIO. */
    static final boolean EPOLL = Epoll.isAvailable();

    static EventLoopGroup group(int threads) {
        return EPOLL ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    static String transport() {
        return EPOLL ? "epoll" : "nio";
    }

    private static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }

    private static void serve(int threads, List<String> endpoints) throws Exception {
        EventLoopGroup boss = group(1);
        EventLoopGroup workers = group(threads);
        List<Server> servers = new ArrayList<>();
        for (String e : endpoints) {
            int eq = e.indexOf('=');
            byte[] name = e.substring(0, eq).getBytes(StandardCharsets.UTF_8);
            ServerServiceDefinition def = ServerServiceDefinition.builder("bench.Echo")
                    .addMethod(NAME, ServerCalls.asyncUnaryCall((req, obs) -> {
                        obs.onNext(name);
                        obs.onCompleted();
                    }))
                    .build();
            servers.add(NettyServerBuilder.forAddress(address(e.substring(eq + 1)))
                    .bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                    .channelType(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class).directExecutor()
                    .addService(def).build().start());
        }
        System.out.println("serving " + endpoints + " on " + threads + " thread(s), " + transport() + ", grpc-java "
                + GrpcUtil.IMPLEMENTATION_VERSION);
        for (Server s : servers) {
            s.awaitTermination();
        }
    }

    /** Latencies in microseconds, one bucket per microsecond up to 1 s, the rest in the last. */
    static final class Histogram {
        final AtomicLongArray buckets = new AtomicLongArray(1_000_001);

        void record(long micros) {
            buckets.incrementAndGet((int) Math.min(micros, buckets.length() - 1));
        }

        double percentileMillis(double p, long count) {
            long rank = (long) Math.ceil(p * count);
            long seen = 0;
            for (int i = 0; i < buckets.length(); i++) {
                seen += buckets.get(i);
                if (seen >= Math.max(rank, 1)) {
                    return i / 1000.0;
                }
            }
            return Double.NaN;
        }
    }

    /** What the counted phase tallies; the warm-up's calls go to a throwaway one. */
    static final class Tally {
        final LongAdder ok = new LongAdder();
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        final Map<String, LongAdder> endpoints = new ConcurrentHashMap<>();
        final Histogram latency = new Histogram();
    }

    private static void load(InetSocketAddress target, int channels, int calls, int seconds, int warmup,
            int threads) throws Exception {
        EventLoopGroup group = group(threads);
        List<ManagedChannel> all = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            all.add(NettyChannelBuilder.forAddress(target).usePlaintext().directExecutor()
                    .eventLoopGroup(group).channelType(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class).build());
        }
        Loop loop = new Loop(group);
        loop.tally = new Tally();
        loop.running = true;
        loop.counting = true;
        for (ManagedChannel ch : all) {
            for (int i = 0; i < calls; i++) {
                loop.call(ch);
            }
        }
        Thread.sleep(warmup * 1000L);
        Tally counted = new Tally();
        long start = System.nanoTime();
        loop.tally = counted;
        Thread.sleep(seconds * 1000L);
        loop.running = false;
        long elapsed = System.nanoTime() - start;
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (loop.open.sum() > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(10);
        }
        loop.counting = false;
        long unfinished = loop.open.sum();
        for (ManagedChannel ch : all) {
            ch.shutdownNow();
        }
        for (ManagedChannel ch : all) {
            ch.awaitTermination(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);

        long ok = counted.ok.sum();
        long failed = 0;
        Map<String, Long> byStatus = new TreeMap<>();
        for (var e : counted.failures.entrySet()) {
            failed += e.getValue().sum();
            byStatus.put(e.getKey(), e.getValue().sum());
        }
        Map<String, Long> byEndpoint = new TreeMap<>();
        counted.endpoints.forEach((k, v) -> byEndpoint.put(k, v.sum()));
        long done = ok + failed;
        System.out.printf(Locale.ROOT,
                "target=%s transport=%s channels=%d calls=%d seconds=%.2f ok=%d failed=%d unfinished=%d calls_per_s=%.0f"
                        + " p50_ms=%.3f p99_ms=%.3f statuses=%s endpoints=%s%n",
                target.getHostString() + ":" + target.getPort(), transport(), channels, calls, elapsed / 1e9, ok, failed,
                unfinished, ok / (elapsed / 1e9), counted.latency.percentileMillis(0.50, done),
                counted.latency.percentileMillis(0.99, done), compact(byStatus), compact(byEndpoint));
    }

    private static String compact(Map<String, Long> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append(':').append(v));
        return sb.length() == 0 ? "-" : sb.toString();
    }

    /** Closed loop: each call that ends starts the next one on the same channel while running. */
    static final class Loop {
        final EventLoopGroup group;
        volatile boolean running;
        volatile boolean counting;
        volatile Tally tally;
        final LongAdder open = new LongAdder();

        Loop(EventLoopGroup group) {
            this.group = group;
        }

        void call(ManagedChannel ch) {
            open.increment();
            long started = System.nanoTime();
            Tally t = tally;
            ClientCall<byte[], byte[]> call = ch.newCall(NAME, CallOptions.DEFAULT);
            call.start(new ClientCall.Listener<>() {
                byte[] reply;

                @Override
                public void onMessage(byte[] message) {
                    reply = message;
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    open.decrement();
                    boolean ok = status.isOk() && reply != null;
                    // A call started in the warm-up is not counted. A success counts while the load runs; a
                    // failure also while the last calls drain (until the channels are shut down).
                    if (t == tally && running && ok) {
                        t.latency.record((System.nanoTime() - started) / 1000);
                        t.ok.increment();
                        t.endpoints.computeIfAbsent(new String(reply, StandardCharsets.UTF_8),
                                k -> new LongAdder()).increment();
                    } else if (t == tally && counting && !ok) {
                        t.latency.record((System.nanoTime() - started) / 1000);
                        t.failures.computeIfAbsent(status.isOk() ? "OK_WITHOUT_REPLY" : status.getCode().name(),
                                k -> new LongAdder()).increment();
                    }
                    if (running && ok) {
                        call(ch);
                    } else if (running) {
                        // Not inline: a failure can be reported within start(), and retrying at once would recurse.
                        group.schedule(() -> call(ch), 1, TimeUnit.MILLISECONDS);
                    }
                }
            }, new Metadata());
            call.request(2);
            call.sendMessage(new byte[0]);
            call.halfClose();
        }
    }
}
