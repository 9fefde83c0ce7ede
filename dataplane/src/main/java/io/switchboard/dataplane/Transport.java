package io.switchboard.dataplane;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The Netty transport the data plane runs on: io_uring or native epoll on Linux (SO_REUSEPORT,
 * IP_FREEBIND, batched UDP reads), NIO elsewhere. {@link #select} turns the {@code --transport} choice
 * into one that works here, or says why it cannot.
 *
 * <p>{@code auto} runs TCP on io_uring where the kernel offers it, else on epoll, else on NIO
 * ({@link #best()}), and UDP on epoll where available ({@link #bestForDatagrams()}). The rule is the
 * winner of same-run comparisons on every scenario: on JDK 25 (what the launcher runs where it is
 * installed) io_uring carried 1.07-1.10x epoll's new connections, 1.02-1.05x its L4 keep-alive and
 * 1.15-1.16x its HTTP requests in two {@code bench/run transports} runs of 2026-12-06, and 5 of 5
 * alternating HTTP rounds at 10.8-12.3 against 12.2-13.3 us of CPU per request (docs/benchmarks.md);
 * on JDK 17 on 2026-12-04 the two had been within a run's spread of each other. A relay to a slow
 * reader holds the same on both (one 512 KiB read per direction, {@code TcpRelayIT} on every
 * transport); the 17 MiB once seen on io_uring was the pooled allocator's chunks and Netty's
 * drain after a FIN, not the relay's backpressure. UDP stays on epoll:
 * Netty's io_uring datagram channel keeps a read with its own 64 KiB buffer outstanding on every
 * socket, idle flows included (64 KiB of direct memory per UDP flow against about 4 KiB on epoll),
 * and echoed 0.6-0.7x epoll's datagrams, which reads eight per {@code recvmmsg}; {@link Transports}
 * carries the pair. Why a native transport is passed over is logged once. An explicit
 * {@code io_uring}, {@code epoll} or {@code nio} runs both on that one.
 */
public enum Transport {
    IO_URING, EPOLL, NIO;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Transport.class);

    /** What {@code auto} runs TCP on: io_uring, else epoll, else NIO. */
    public static Transport best() {
        return Auto.STREAM;
    }

    /** What {@code auto} runs UDP on: epoll, else what {@link #best()} is. */
    public static Transport bestForDatagrams() {
        return Auto.DATAGRAM;
    }

    /** Whether {@code choice} is {@code auto}, as {@link #select} reads it. */
    static boolean isAuto(String choice) {
        return "auto".equals(normalise(choice));
    }

    private static String normalise(String choice) {
        return choice.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** The choices of {@code auto}, made (and why a transport was passed over, logged) once. */
    private static final class Auto {
        static final Transport STREAM = stream();
        static final Transport DATAGRAM = datagram();

        private static Transport stream() {
            if (IO_URING.unavailabilityCause() == null) {
                return IO_URING;
            }
            // A kernel without io_uring, or a container whose seccomp profile refuses it (Docker's default does).
            Transport fallback = EPOLL.unavailabilityCause() == null ? EPOLL : NIO;
            LOG.atInfo().addKeyValue("cause", String.valueOf(IO_URING.unavailabilityCause()))
                    .addKeyValue("using", fallback.label()).log("io_uring unavailable");
            if (fallback == NIO) {
                LOG.atWarn().addKeyValue("cause", String.valueOf(EPOLL.unavailabilityCause()))
                        .log("native epoll unavailable too; using NIO without SO_REUSEPORT");
            }
            return fallback;
        }

        private static Transport datagram() {
            if (EPOLL.unavailabilityCause() == null) {
                return EPOLL;
            }
            if (STREAM == IO_URING) {
                LOG.atInfo().addKeyValue("cause", String.valueOf(EPOLL.unavailabilityCause()))
                        .log("native epoll unavailable; UDP on io_uring too");
            }
            return STREAM;
        }
    }

    /**
     * The transport named {@code choice} ({@code auto}, {@code io_uring}, {@code epoll} or {@code nio},
     * any case): {@code auto} is {@link #best()}; a native transport this machine lacks is refused with
     * the reason.
     */
    public static Transport select(String choice) {
        Transport t = switch (normalise(choice)) {
            case "auto" -> best();
            case "io_uring", "iouring", "uring" -> IO_URING;
            case "epoll" -> EPOLL;
            case "nio" -> NIO;
            default -> throw new IllegalArgumentException("unknown transport '" + choice
                    + "': expected auto, io_uring, epoll or nio");
        };
        Throwable missing = t.unavailabilityCause();
        if (missing != null) {
            throw new IllegalArgumentException("transport " + t.label() + " is not available here: " + missing.getMessage(),
                    missing);
        }
        return t;
    }

    /** Why this transport cannot run on this machine, or null when it can. */
    public Throwable unavailabilityCause() {
        return switch (this) {
            case IO_URING -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
            case EPOLL -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
            case NIO -> null;
        };
    }

    /** The name {@code --transport} takes. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A group of {@code threads} event loops named {@code name-N}. */
    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> new EpollRegistrationGuard();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** The server socket channel class. */
    public Class<? extends ServerSocketChannel> serverChannel() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /** The client socket channel class. */
    public Class<? extends SocketChannel> socketChannel() {
        return switch (this) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    /** The datagram channel class. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return switch (this) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }

    /** True when several sockets can share one address and the kernel spreads connections over them. */
    public boolean reusePort() {
        return this != NIO;
    }

    /** The option that lets a socket bind an address not (yet) on this host, or null without one. */
    public ChannelOption<Boolean> freeBind() {
        return switch (this) {
            case IO_URING -> IoUringChannelOption.IP_FREEBIND;
            case EPOLL -> EpollChannelOption.IP_FREEBIND;
            case NIO -> null;
        };
    }

    /**
     * A new, unregistered client socket channel of {@code target}'s address family. Netty's default is
     * a dual-stack IPv6 socket even for IPv4 peers; a native IPv4 socket skips the mapping.
     */
    public SocketChannel newSocketChannel(InetAddress target) {
        return switch (this) {
            // Netty's io_uring client socket has no family constructor; it connects IPv4 peers mapped.
            case IO_URING -> new IoUringSocketChannel();
            case EPOLL -> new EpollSocketChannel(family(target));
            case NIO -> new NioSocketChannel();
        };
    }

    /** A new, unregistered datagram channel of {@code address}'s family. */
    public DatagramChannel newDatagramChannel(InetAddress address) {
        return switch (this) {
            case IO_URING -> new IoUringDatagramChannel(family(address));
            case EPOLL -> new EpollDatagramChannel(family(address));
            case NIO -> new NioDatagramChannel();
        };
    }

    /** A factory of server channels of {@code bindAddress}'s family (IPv6 for the IPv6 wildcard). */
    public ChannelFactory<ServerChannel> serverChannelFactory(InetAddress bindAddress) {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel::new;
            case EPOLL -> {
                SocketProtocolFamily family = family(bindAddress);
                yield () -> new EpollServerSocketChannel(family);
            }
            case NIO -> NioServerSocketChannel::new;
        };
    }

    private static SocketProtocolFamily family(InetAddress address) {
        return address instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }

    /**
     * Sends FIN on a channel whose pending bytes are already written. On epoll and io_uring this shuts
     * the socket directly: Netty's {@code shutdownOutput()} builds a stack-traced exception for every
     * connection only to fail writes that cannot exist here (1.5 % of the event loop's samples under a
     * connection-rate load on io_uring: {@code fillInStackTrace} under {@code AbstractUnsafe.shutdownOutput}).
     */
    public static void shutdownOutput(Channel channel) {
        if (channel instanceof SocketChannel && channel instanceof io.netty.channel.unix.UnixChannel unix
                && unix.fd() instanceof io.netty.channel.unix.Socket socket) {
            try {
                socket.shutdown(false, true);
                return;
            } catch (java.io.IOException e) {
                // The peer is gone; closing (below) reports it the usual way.
            }
        }
        if (channel instanceof io.netty.channel.socket.DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
    }
}
