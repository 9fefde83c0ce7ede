package io.switchboard.dataplane;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * The open client connections of every TCP listener, so that a drain can reach them: each accepted
 * connection joins the group and leaves it when it closes (the group listens for that). Connections
 * accepted after the drain began are told at once.
 */
final class ClientConnections {

    private final ChannelGroup open = new DefaultChannelGroup("switchboard-clients", ImmediateEventExecutor.INSTANCE);
    private volatile boolean draining;

    /** Tracks {@code client}; called on its event loop as it is initialised. */
    void accepted(Channel client) {
        open.add(client);
        if (draining) {
            // Fired once the pipeline is built: this runs inside the initializer.
            client.eventLoop().execute(() -> client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        }
    }

    /** Tells every open connection, on its own event loop, that the proxy drains. */
    void drain() {
        draining = true;
        for (Channel c : open) {
            c.eventLoop().execute(() -> c.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        }
    }

    /** How many are open. */
    int size() {
        return open.size();
    }

    /**
     * Closes every one still open (the drain timed out) and waits, bounded, until each is closed: a
     * closed channel's inactive event (which frees what its streams hold, such as response bytes
     * waiting for an HTTP/2 client's window) is queued on its loop then, ahead of the last tasks a
     * stop runs there before the loops end.
     */
    void closeAll() {
        open.close().awaitUninterruptibly(2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
