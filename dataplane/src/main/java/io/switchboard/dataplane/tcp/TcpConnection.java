package io.switchboard.dataplane.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.switchboard.dataplane.Transport;
import io.switchboard.routing.Backend;
import io.switchboard.routing.ServicePortStats;
import java.util.concurrent.TimeUnit;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One relayed connection: the client and endpoint channels (both on the same event loop, so no
 * field needs synchronising), which directions have finished, and the counting that must happen
 * exactly once. A FIN from one side becomes a FIN to the other once the bytes before it are
 * written; a reset on either side resets the other.
 *
 * <p>The idle timeout is checked {@value #IDLE_CHECKS} times per timeout rather than tracked per
 * read and write (as Netty's {@code IdleStateHandler} does, with a promise and listener per write):
 * traffic only clears a counter, and a connection is closed once a whole timeout's worth of checks
 * in a row saw none, so it goes between one and 1.25 timeouts after its last byte.
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
    /** Idle checks in a row that saw no traffic. */
    private int quietChecks;
    /** The pending idle check, cancelled on close so closed connections do not wait in the timer queue. */
    private ScheduledFuture<?> idleCheck;
    static final int IDLE_CHECKS = 4;

    TcpConnection(Channel client, ServicePortStats stats) {
        this.client = client;
        this.stats = stats;
    }

    /** Starts the idle timeout (none when {@code timeoutNanos} is 0). */
    void watchIdle(long timeoutNanos) {
        if (timeoutNanos > 0) {
            scheduleIdleCheck(Math.max(1, timeoutNanos / IDLE_CHECKS));
        }
    }

    private void scheduleIdleCheck(long periodNanos) {
        idleCheck = client.eventLoop().schedule(() -> {
            idleCheck = null;
            if (!client.isOpen()) {
                return;
            }
            // Closing takes a timeout plus one check of quiet: the last byte may have come just
            // after the previous check.
            if (++quietChecks > IDLE_CHECKS) {
                closeAfterFlush(client);
                if (endpointChannel != null) {
                    closeAfterFlush(endpointChannel);
                }
                return;
            }
            scheduleIdleCheck(periodNanos);
        }, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** The connection is over: its pending idle check goes too. */
    void stopIdleWatch() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
    }

    /** Bytes moved one way or the other: the connection is not idle. */
    void active() {
        quietChecks = 0;
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
