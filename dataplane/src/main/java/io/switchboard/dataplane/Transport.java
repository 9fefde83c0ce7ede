package io.switchboard.dataplane;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
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
 * The Netty transport in use: native epoll where the platform has it (SO_REUSEPORT, IP_FREEBIND,
 * batched UDP), otherwise NIO.
 */
public enum Transport {
    EPOLL, NIO;

    /** Epoll when available. */
    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** Why epoll is unavailable, or null. */
    public static Throwable epollUnavailabilityCause() {
        return Epoll.unavailabilityCause();
    }

    /** A group of {@code threads} event loops named {@code name-N}. */
    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = this == EPOLL ? new EpollRegistrationGuard() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** The server socket channel class. */
    public Class<? extends ServerSocketChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The client socket channel class. */
    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The datagram channel class. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** True when several sockets can share one address and the kernel spreads connections over them. */
    public boolean reusePort() {
        return this == EPOLL;
    }

    /**
     * A new, unregistered client socket channel of {@code target}'s address family. Netty's default is
     * a dual-stack IPv6 socket even for IPv4 peers; a native IPv4 socket skips the mapping.
     */
    public SocketChannel newSocketChannel(InetAddress target) {
        if (this == EPOLL) {
            return new EpollSocketChannel(family(target));
        }
        return new NioSocketChannel();
    }

    /** A new, unregistered datagram channel of {@code address}'s family. */
    public DatagramChannel newDatagramChannel(InetAddress address) {
        if (this == EPOLL) {
            return new EpollDatagramChannel(family(address));
        }
        return new NioDatagramChannel();
    }

    /** A factory of server channels of {@code bindAddress}'s family (IPv6 for the IPv6 wildcard). */
    public ChannelFactory<ServerChannel> serverChannelFactory(InetAddress bindAddress) {
        if (this == EPOLL) {
            SocketProtocolFamily family = family(bindAddress);
            return () -> new EpollServerSocketChannel(family);
        }
        return NioServerSocketChannel::new;
    }

    private static SocketProtocolFamily family(InetAddress address) {
        return address instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }

    /**
     * Sends FIN on a channel whose pending bytes are already written. With epoll this shuts the
     * socket directly: Netty's {@code shutdownOutput()} would build a stack-traced exception for every
     * connection only to fail writes that cannot exist here.
     */
    public static void shutdownOutput(Channel channel) {
        if (channel instanceof EpollSocketChannel epoll && epoll.fd() instanceof io.netty.channel.unix.Socket socket) {
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
