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

    /** True for channels of this transport. */
    public boolean owns(Channel channel) {
        return this == EPOLL ? channel instanceof EpollSocketChannel : channel instanceof NioSocketChannel;
    }
}
