package io.switchboard.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.switchboard.dataplane.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One TCP connect to an endpoint, closed at once with a reset so probes leave no TIME_WAIT behind.
 */
final class ConnectProbe {

    private ConnectProbe() {
    }

    /** Connects on {@code loop}; {@code done} gets null on success, else the cause, on the loop. */
    static void connect(EventLoop loop, Transport transport, InetSocketAddress endpoint, Duration timeout,
                        Consumer<Throwable> done) {
        new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .option(ChannelOption.SO_LINGER, 0)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(endpoint)
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        f.channel().close();
                    }
                    done.accept(f.cause());
                });
    }
}
