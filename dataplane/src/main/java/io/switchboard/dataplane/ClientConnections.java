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

    /** Closes every one still open (the drain timed out). */
    void closeAll() {
        open.close();
    }
}
