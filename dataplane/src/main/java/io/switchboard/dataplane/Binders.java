package io.switchboard.dataplane;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.switchboard.dataplane.ListenerManager.Binder;
import io.switchboard.dataplane.ListenerManager.BindKey;
import io.switchboard.dataplane.udp.UdpChannels;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the listeners of each protocol are bound: socket options, pipelines, accept-error reports. */
final class Binders {

    private static final Logger LOG = LoggerFactory.getLogger(Binders.class);

    private Binders() {
    }

    /**
     * The UDP binder: a datagram socket on the Service address (one per event loop with SO_REUSEPORT,
     * which keeps each client's datagrams on one loop), reading in batches.
     */
    static Binder udp(Transport transport, EventLoopGroup workers, ByteBufAllocator allocator,
                      Function<BindKey, ChannelHandler> handler) {
        return binder(transport, workers, (key, group) -> new Bootstrap()
                .group(group)
                .option(ChannelOption.ALLOCATOR, allocator)
                .channelFactory(() -> transport.newDatagramChannel(key.address()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        UdpChannels.configure(ch);
                        ch.pipeline().addLast(handler.apply(key));
                    }
                }), (key, socket) -> { });
    }

    /**
     * The TCP binder: server sockets whose accepted connections allow half-closure, count against
     * {@code limit} and are handed to {@code accepted} (which tracks them for a drain).
     */
    static Binder tcp(Transport transport, EventLoopGroup workers, ByteBufAllocator allocator,
                      Supplier<ChannelHandler> childHandler, ConnectionLimit limit, Consumer<Channel> accepted) {
        ChannelFutureListener closed = f -> limit.closed();
        return binder(transport, workers, (key, group) -> new ServerBootstrap()
                .group(group, group)
                .channelFactory(transport.serverChannelFactory(key.address()))
                .option(ChannelOption.SO_BACKLOG, 4096)
                // TCP_NODELAY is Netty's default on Linux: setting it again would cost a syscall per connection.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        limit.opened();
                        ch.closeFuture().addListener(closed);
                        accepted.accept(ch);
                        ch.pipeline().addLast(childHandler.get());
                    }
                }), (key, server) -> server.pipeline().addLast(new AcceptErrors(key)));
    }

    /**
     * The one binder both protocols share: it runs the protocol's bootstrap on the loop it is given
     * (or on every worker when the transport cannot share a port), adds the socket options every
     * listener needs, binds, and hands the bound socket to {@code bound} for what comes after.
     *
     * @param bootstrap the protocol's bootstrap for one key, with its group set to the given one
     * @param bound     what to do with a bound socket before it is returned
     */
    private static Binder binder(Transport transport, EventLoopGroup workers,
                                 BiFunction<BindKey, EventLoopGroup, AbstractBootstrap<?, ?>> bootstrap,
                                 BiConsumer<BindKey, Channel> bound) {
        return (key, loop, freeBind) -> {
            AbstractBootstrap<?, ?> b = bootstrap.apply(key, loop != null ? loop : workers);
            b.option(ChannelOption.SO_REUSEADDR, true);
            if (loop != null) {
                b.option(UnixChannelOption.SO_REUSEPORT, true);
                if (freeBind && transport.freeBind() != null) {
                    // Lets a cluster IP be bound before its local route exists; traffic arrives once it does.
                    b.option(transport.freeBind(), true);
                }
            }
            Channel socket = b.bind(new InetSocketAddress(key.address(), key.port())).sync().channel();
            bound.accept(key, socket);
            return socket;
        };
    }

    /**
     * Reports accept failures (most often the open-file limit) once a minute per listener with what
     * to do, instead of Netty's warning every second. Netty's acceptor, before this handler, already
     * stops accepting for a second after a failure so the loop does not spin.
     */
    private static final class AcceptErrors extends ChannelInboundHandlerAdapter {
        private static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
        private final BindKey key;
        private long lastReport = System.nanoTime() - INTERVAL_NANOS;
        private long suppressed;

        AcceptErrors(BindKey key) {
            this.key = key;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            long now = System.nanoTime();
            if (now - lastReport < INTERVAL_NANOS) {
                suppressed++;
                return;
            }
            lastReport = now;
            LOG.atError().addKeyValue("listener", key).addKeyValue("error", String.valueOf(cause.getMessage()))
                    .addKeyValue("suppressedSinceLast", suppressed)
                    .log("cannot accept connections; if the open-file limit is reached, lower --max-connections"
                            + " or --udp-max-flows");
            suppressed = 0;
        }
    }
}
