package io.switchboard.dataplane.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.switchboard.dataplane.IdleWatch;
import io.switchboard.dataplane.Transport;
import io.switchboard.routing.Backend;
import io.switchboard.routing.ServicePortStats;

/**
 * One relayed connection: the client and endpoint channels (both on the same event loop, so no
 * field needs synchronising), which directions have finished, and the counting that must happen
 * exactly once. A FIN from one side becomes a FIN to the other once the bytes before it are
 * written; a reset on either side resets the other.
 * A connection quiet both ways for the Service's idle timeout is closed ({@link IdleWatch}).
 */
final class TcpConnection {

    private final Channel client;
    private final ServicePortStats stats;
    private Channel endpointChannel;
    private Backend backend;
    private boolean clientInputShut;
    private boolean endpointInputShut;
    private boolean counted;
    private boolean closing;
    private IdleWatch idle;

    TcpConnection(Channel client, ServicePortStats stats) {
        this.client = client;
        this.stats = stats;
    }

    /** Starts the idle timeout (none when {@code timeoutNanos} is 0). */
    void watchIdle(long timeoutNanos) {
        idle = IdleWatch.start(client.eventLoop(), timeoutNanos, () -> {
            if (client.isOpen()) {
                closeAfterFlush(client);
                if (endpointChannel != null) {
                    closeAfterFlush(endpointChannel);
                }
            }
        });
    }

    /** The connection is over: its pending idle check goes too. */
    void stopIdleWatch() {
        if (idle != null) {
            idle.stop();
        }
    }

    /** Bytes moved one way or the other: the connection is not idle. */
    void active() {
        if (idle != null) {
            idle.active();
        }
    }

    Channel client() {
        return client;
    }

    Channel endpoint() {
        return endpointChannel;
    }

    Backend backend() {
        return backend;
    }

    ServicePortStats stats() {
        return stats;
    }

    /** The endpoint accepted: from now on the connection counts as active on it. */
    void established(Backend b, Channel channel) {
        this.backend = b;
        this.endpointChannel = channel;
        this.counted = true;
        b.connectionOpened();
        stats.connected();
    }

    Channel peerOf(Channel side) {
        return side == client ? endpointChannel : client;
    }

    /** One side sent FIN: pass it on after the data before it, and close once both sides did. */
    void inputShutdown(Channel side) {
        if (side == client) {
            clientInputShut = true;
        } else {
            endpointInputShut = true;
        }
        if (!closing) {
            closing = true;
            backend.connectionClosing();
        }
        Channel peer = peerOf(side);
        if (clientInputShut && endpointInputShut) {
            closeAfterFlush(peer);
            closeAfterFlush(side);
        } else {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    Transport.shutdownOutput(peer);
                    // Nothing more goes to the peer, so its FIN can close it outright: no half-closed
                    // state left to keep, and no shutdown(SHUT_RD) on a socket the kernel already closed.
                    peer.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
                }
            });
        }
    }

    /** A channel closed: release the counts once and close the other side after its pending bytes. */
    void closed(Channel side) {
        stopIdleWatch();
        if (counted) {
            counted = false;
            backend.connectionClosed(closing);
        }
        Channel peer = peerOf(side);
        if (peer != null && peer.isActive()) {
            closeAfterFlush(peer);
        }
    }

    /** Resets both sides, for an error or a reset received on either. */
    void reset() {
        reset(client);
        if (endpointChannel != null) {
            reset(endpointChannel);
        }
    }

    /** Closes with SO_LINGER 0 so the peer sees RST rather than FIN. */
    static void reset(Channel channel) {
        if (channel.isOpen()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException ignoredBecauseClosing) {
                // The socket closed between the check and the option; close() below is still right.
            }
            channel.close();
        }
    }

    static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }
}
