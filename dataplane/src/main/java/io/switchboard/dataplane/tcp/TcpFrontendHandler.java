package io.switchboard.dataplane.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.switchboard.dataplane.RoutingState;
import io.switchboard.dataplane.Transport;
import io.switchboard.model.Protocol;
import io.switchboard.model.ServiceOptions;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.routing.VirtualService;
import io.switchboard.scheduler.PickContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Handles a newly accepted client connection: finds its Service by the address the client
 * connected to, picks an endpoint and connects to it on the client's own event loop, retrying other
 * endpoints after a refused or timed-out connect, then hands both channels to {@link RelayHandler}s.
 * A client outside a load-balancer IP's source ranges is reset before anything is chosen.
 * Bytes (and a FIN) the client sends while the endpoint connects are held, up to
 * {@value #EARLY_LIMIT} bytes after which the client is no longer read, and replayed in order. Near
 * the connection limit, a client that ends its side before the endpoint connected without sending a
 * byte is closed at once, without a connection to the endpoint (HAProxy's {@code abortonclose}); below
 * it such a half-close is passed on as usual, since a client may wait for the server to speak first.
 * If nothing can take the connection, it is reset.
 */
public final class TcpFrontendHandler extends ChannelInboundHandlerAdapter {

    /** Bytes held from a client before its endpoint is connected; past this the client is not read. */
    static final int EARLY_LIMIT = 64 * 1024;

    private final RoutingState state;
    private final Transport transport;
    private final java.util.Map<io.netty.channel.EventLoop, io.switchboard.dataplane.http.HttpContext> http;
    private final BooleanSupplier crowded;
    /** Bytes that arrived before the endpoint connected. */
    private final List<Object> early = new ArrayList<>(1);
    private int earlyBytes;
    private boolean inputShutEarly;
    private TcpConnection connection;

    /**
     * A handler for one accepted connection; HTTP ports hand over to the loop's HTTP context.
     * {@code crowded} says whether client connections are near their cap.
     */
    public TcpFrontendHandler(RoutingState state, Transport transport,
                              java.util.Map<io.netty.channel.EventLoop, io.switchboard.dataplane.http.HttpContext> http,
                              BooleanSupplier crowded) {
        this.state = state;
        this.transport = transport;
        this.http = http;
        this.crowded = crowded;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        InetSocketAddress local = (InetSocketAddress) client.localAddress();
        InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
        VirtualService vs = state.table().lookup(local.getAddress(), local.getPort(), Protocol.TCP);
        if (vs == null) {
            state.stats().unrouted();
            TcpConnection.reset(client);
            return;
        }
        if (!vs.admits(remote.getAddress())) {
            // loadBalancerSourceRanges: kube-proxy drops the SYN; the kernel accepted it here, so reset.
            vs.pool().stats().sourceDenied();
            TcpConnection.reset(client);
            return;
        }
        if (vs.port().balancesRequests()) {
            // An L7 port: every request is scheduled on its own, so no endpoint is chosen here.
            io.switchboard.dataplane.http.HttpFrontend.install(client, vs.address(), http.get(client.eventLoop()));
            ctx.pipeline().remove(this);
            return;
        }
        RelayReads.configure(client);
        BackendPool pool = vs.pool();
        ServiceOptions options = pool.options();
        connection = new TcpConnection(client, pool.stats());
        connection.watchIdle(options.idleTimeout().toNanos());
        PickContext pick = PickContext.of(remote.getAddress(), remote.getPort(), local.getAddress(), local.getPort());
        attempt(ctx, connection, pool, pick, new ArrayList<>());
    }

    private void attempt(ChannelHandlerContext ctx, TcpConnection connection, BackendPool pool, PickContext pick,
                         List<Backend> tried) {
        Channel client = ctx.channel();
        if (!client.isActive()) {
            return;
        }
        Backend backend = pool.choose(tried.isEmpty() ? pick : pick.excluding(List.copyOf(tried)), state.affinity());
        if (backend == null) {
            pool.stats().rejected();
            TcpConnection.reset(client);
            return;
        }
        ServiceOptions options = pool.options();
        // The channel is built here rather than by a Bootstrap per connection: same steps, less garbage.
        Channel endpoint = transport.newSocketChannel(backend.address());
        endpoint.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        endpoint.config().setAllocator(client.alloc());
        RelayReads.configure(endpoint);
        endpoint.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
        endpoint.pipeline().addLast(new RelayHandler(connection, false));
        client.eventLoop().register(endpoint);
        ChannelFuture connect = endpoint.connect(backend.socketAddress());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                if (!client.isActive()) {
                    endpoint.close();
                    return;
                }
                // Runs before the endpoint's first read: its channelActive follows this listener.
                connection.established(backend, endpoint);
                List<Object> held = List.copyOf(early);
                early.clear();
                client.pipeline().replace(this, "relay", new RelayHandler(connection, true));
                for (Object msg : held) {
                    if (msg instanceof io.netty.buffer.ByteBuf buf) {
                        backend.addBytesToEndpoint(buf.readableBytes());
                        pool.stats().addBytesToEndpoints(buf.readableBytes());
                    }
                    endpoint.write(msg, endpoint.voidPromise());
                }
                if (!held.isEmpty()) {
                    endpoint.flush();
                }
                if (inputShutEarly) {
                    connection.inputShutdown(client);
                } else if (!client.config().isAutoRead()) {
                    client.config().setAutoRead(true);
                }
                return;
            }
            endpoint.close();
            backend.connectFailed(options.downBackoff().toNanos());
            pool.stats().connectFailed();
            tried.add(backend);
            if (tried.size() < options.connectAttempts()) {
                pool.stats().retried();
                attempt(ctx, connection, pool, pick, tried);
            } else {
                pool.stats().rejected();
                TcpConnection.reset(client);
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        early.add(msg);
        if (msg instanceof io.netty.buffer.ByteBuf buf) {
            earlyBytes += buf.readableBytes();
            if (earlyBytes > EARLY_LIMIT) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            if (early.isEmpty() && crowded.getAsBoolean()) {
                // Gone before its endpoint answered, having sent nothing, while the cap is near: most
                // likely a client that gave up in the accept queue. Dropping it at once frees its slot for
                // the next one in the queue, instead of after a round trip to the endpoint.
                ctx.close();
                return;
            }
            inputShutEarly = true;
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Closed before the endpoint connected: the relay that would stop the idle watch never came.
        if (connection != null) {
            connection.stopIdleWatch();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (Object msg : early) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
        early.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An error before the endpoint is connected (the client reset meanwhile): nothing to relay.
        TcpConnection.reset(ctx.channel());
    }
}
