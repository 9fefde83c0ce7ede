package io.switchboard.backend;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.switchboard.dataplane.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A small endpoint for demos, tests and benchmarks that answers with its name. On TCP it looks at the
 * first bytes: an HTTP request gets {@code 200} with body {@code NAME\n} and header
 * {@code X-Backend: NAME} (keep-alive honoured); anything else gets {@code NAME\n} followed by an
 * echo of every byte received. On UDP, at the same address and port, a datagram saying {@code name}
 * is answered with the name and any other datagram (empty ones included) is echoed unchanged.
 */
public final class DemoBackend implements AutoCloseable {

    private static final List<String> METHODS = List.of("GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ",
            "PATCH ", "TRACE ", "CONNECT ");

    private final String name;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Channel tcp;
    private final java.net.DatagramSocket udp;
    private final Thread udpThread;
    private boolean closed;

    private DemoBackend(String name, InetSocketAddress listen, EventLoopGroup group, boolean ownsGroup)
            throws InterruptedException {
        this.name = Objects.requireNonNull(name, "name");
        this.group = group;
        this.ownsGroup = ownsGroup;
        Transport transport = Transport.best();
        this.tcp = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Sniffer());
                    }
                })
                .bind(listen).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) tcp.localAddress();
        java.net.DatagramSocket socket;
        try {
            socket = new java.net.DatagramSocket(null);
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bound.getAddress(), bound.getPort()));
        } catch (java.io.IOException e) {
            tcp.close().syncUninterruptibly();
            throw new IllegalStateException("cannot bind UDP " + bound + ": " + e.getMessage(), e);
        }
        this.udp = socket;
        this.udpThread = new Thread(this::serveUdp, "backend-" + name + "-udp");
        this.udpThread.setDaemon(true);
        this.udpThread.start();
    }

    /** Plain blocking I/O: it echoes zero-length datagrams, which Netty's datagram writes would skip. */
    private void serveUdp() {
        byte[] buf = new byte[65_536];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        java.net.DatagramPacket in = new java.net.DatagramPacket(buf, buf.length);
        while (!udp.isClosed()) {
            try {
                in.setLength(buf.length);
                udp.receive(in);
                boolean askName = in.getLength() == 4 && buf[0] == 'n' && buf[1] == 'a' && buf[2] == 'm' && buf[3] == 'e';
                java.net.DatagramPacket out = askName
                        ? new java.net.DatagramPacket(nameBytes, nameBytes.length, in.getSocketAddress())
                        : new java.net.DatagramPacket(buf, in.getLength(), in.getSocketAddress());
                udp.send(out);
            } catch (java.io.IOException e) {
                if (udp.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Starts a backend on {@code listen} with its own event loops. */
    public static DemoBackend start(String name, InetSocketAddress listen, int threads) throws InterruptedException {
        return new DemoBackend(name, listen, Transport.best().newGroup(threads, "backend-" + name), true);
    }

    /** Starts a backend on {@code listen} sharing {@code group}. */
    public static DemoBackend start(String name, InetSocketAddress listen, EventLoopGroup group)
            throws InterruptedException {
        return new DemoBackend(name, listen, group, false);
    }

    /** The bound TCP address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) tcp.localAddress();
    }

    /** The name it answers with. */
    public String name() {
        return name;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.close();
        tcp.close().syncUninterruptibly();
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Decides between HTTP and raw TCP from the first bytes, then gets out of the way. */
    private final class Sniffer extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), 8);
            String head = in.toString(in.readerIndex(), n, StandardCharsets.US_ASCII);
            boolean http = false;
            boolean undecided = false;
            for (String m : METHODS) {
                if (head.startsWith(m)) {
                    http = true;
                } else if (m.startsWith(head)) {
                    undecided = true;
                }
            }
            if (!http && undecided) {
                return;
            }
            if (http) {
                ctx.pipeline().addAfter(ctx.name(), "http", new HttpServerCodec());
                ctx.pipeline().addAfter("http", "aggregate", new HttpObjectAggregator(1 << 20));
                ctx.pipeline().addAfter("aggregate", "answer", new HttpAnswer());
            } else {
                ctx.writeAndFlush(Unpooled.copiedBuffer(name + "\n", StandardCharsets.UTF_8));
                ctx.pipeline().addAfter(ctx.name(), "echo", new Echo());
            }
            ctx.pipeline().remove(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Health checks connect and reset; nothing to answer.
            ctx.close();
        }
    }

    /** Writes back what it reads, with backpressure. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final class HttpAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            ByteBuf body = Unpooled.copiedBuffer(name + "\n", StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            resp.headers().set("X-Backend", name);
            HttpUtil.setContentLength(resp, body.readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (keepAlive) {
                if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.writeAndFlush(resp);
            } else {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
