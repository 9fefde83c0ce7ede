package io.switchboard.dataplane.tcp;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.RecvByteBufAllocator;

/**
 * How the two channels of an L4 relay read: buffers that grow up to {@value #MAX_READ} bytes while
 * reads fill them and shrink again when they do not. Netty's default stops at 64 KiB, which on a bulk
 * stream means a read, a write and an event-loop pass per 64 KiB. On the 2-core bench machine one
 * iperf3 stream through the relay ran at 0.39x of direct with 64 KiB, 0.50x with 256 KiB, 0.61x with
 * 512 KiB and 0.65x with 1 MiB on epoll, and 12.4-14.8 against 17.3-20.5 Gbit/s with 64 KiB and
 * 512 KiB on io_uring (direct ~33); 512 KiB keeps most of the gain at half the memory a slow reader can
 * pin (TcpRelayIT, counting the pool's chunks then, kept a slow reader under 12 MiB at 512 KiB, not at
 * 1 MiB). A chatty or idle connection never grows its buffer. What one connection holds stays bounded: a read that
 * leaves the peer unwritable stops reading (RelayHandler), so at most one read plus the peer's write
 * high-water mark is in memory per direction, below Envoy's default per-connection buffer limit
 * (1 MiB) (TcpRelayIT counts 1 MiB held for a slow reader on every transport). The exception is a
 * side's FIN: from then on Netty's epoll and io_uring channels read what the kernel holds for that
 * socket whatever auto-read says (netty/netty#13142: auto-read is a hint there), so a sender that
 * half-closes towards a slow receiver has its last receive buffer's worth pulled into the proxy.
 * One allocator serves every relay: its handles, which keep the per-channel state, are made per
 * channel, so sharing it also saves an allocator object per channel.
 */
final class RelayReads {

    /** The largest single read of a relay channel. */
    static final int MAX_READ = 512 * 1024;

    private static final RecvByteBufAllocator ALLOCATOR = new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ);

    private RelayReads() {
    }

    /** Makes {@code channel} read as a relay does; call before its first read (the handle is made then). */
    static void configure(Channel channel) {
        channel.config().setRecvByteBufAllocator(ALLOCATOR);
    }
}
