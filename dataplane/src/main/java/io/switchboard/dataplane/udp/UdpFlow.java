package io.switchboard.dataplane.udp;

import io.netty.channel.Channel;
import io.switchboard.routing.Backend;
import io.switchboard.routing.ServicePortStats;

/**
 * One UDP flow: the endpoint it was scheduled to, the connected socket that talks to that endpoint
 * (so replies can be told apart per client), the listener socket that answers the client from the
 * Service address, and conntrack-style counters. Lives on one event loop; no field needs a lock.
 */
final class UdpFlow {

    final FlowKey key;
    final String service;
    final Backend backend;
    final ServicePortStats stats;
    final Channel listener;
    final long timeoutNanos;
    final long streamTimeoutNanos;
    final long created;
    Channel upstream;
    /**
     * Datagrams for the endpoint held while the upstream socket's connect is in flight (io_uring
     * connects asynchronously; epoll and NIO at once), or null once connected. Empty datagrams are
     * held as empty buffers.
     */
    java.util.ArrayDeque<io.netty.buffer.ByteBuf> pending;
    long lastSeen;
    boolean seenReply;
    long packetsOriginal;
    long bytesOriginal;
    long packetsReply;
    long bytesReply;
    /** The routing table version this flow was last checked against. */
    long tableVersion;
    boolean removed;

    UdpFlow(FlowKey key, String service, Backend backend, ServicePortStats stats, Channel listener, long timeoutNanos,
            long streamTimeoutNanos, long now, long tableVersion) {
        this.key = key;
        this.service = service;
        this.backend = backend;
        this.stats = stats;
        this.listener = listener;
        this.timeoutNanos = timeoutNanos;
        this.streamTimeoutNanos = streamTimeoutNanos;
        this.created = now;
        this.lastSeen = now;
        this.tableVersion = tableVersion;
    }

    /** When the flow expires without further traffic: conntrack's unreplied or stream timeout. */
    long expiresAt() {
        return lastSeen + (seenReply ? streamTimeoutNanos : timeoutNanos);
    }
}
