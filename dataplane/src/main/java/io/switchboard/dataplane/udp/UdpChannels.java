package io.switchboard.dataplane.udp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;

/** Socket settings shared by UDP listeners and flow sockets. */
public final class UdpChannels {

    /** The largest UDP payload over IPv6 (65,507 over IPv4): every read slot holds one whole datagram. */
    static final int MAX_PAYLOAD = 65_527;
    /** Datagrams one recvmmsg call may return. */
    static final int BATCH = 8;

    private UdpChannels() {
    }

    /**
     * Batch reads (epoll's recvmmsg) with slots large enough that no datagram is truncated; with epoll this is
     * also the read path that keeps zero-length datagrams, which Netty's single-datagram read drops.
     */
    public static void configure(Channel channel) {
        if (channel instanceof EpollDatagramChannel) {
            channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_PAYLOAD);
            channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_PAYLOAD * BATCH));
        } else {
            // NIO reads one datagram per buffer, and so does io_uring here: Netty batches its recvmsg only
            // with MAX_DATAGRAM_PAYLOAD_SIZE set, and holds the read's buffer while the read is outstanding,
            // idle sockets included, so a batch buffer would hold eight times the 64 KiB per flow.
            channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_PAYLOAD + 1));
        }
        channel.config().setOption(ChannelOption.SO_RCVBUF, 4 << 20);
        channel.config().setOption(ChannelOption.SO_SNDBUF, 4 << 20);
    }
}
