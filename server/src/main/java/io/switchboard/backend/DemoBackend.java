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
 * echo of every byte received, and the connection closes once the client's FIN came and the echo
 * is written. On UDP, at the same address and port, a datagram saying {@code name} is answered with
 * the name and any other datagram (empty ones included) is echoed unchanged.
 */
public final class DemoBackend implements AutoCloseable {

    private static final List<String> METHODS = List.of("GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ",
            "PATCH ", "TRACE ", "CONNECT ");

    private final String name;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Channel tcp;
    /** Every accepted connection, so closing the backend closes them as a killed process would. */
    private final io.netty.channel.group.ChannelGroup connections =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private final java.net.DatagramSocket udp;
    private final java.util.concurrent.atomic.LongAdder httpRequests = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder probeRequests = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder accepted = new java.util.concurrent.atomic.LongAdder();
    private volatile int forcedStatus;
    private final Thread udpThread;
    private boolean closed;

    private DemoBackend(String name, InetSocketAddress listen, Transport transport, EventLoopGroup group,
                        boolean ownsGroup) throws InterruptedException {
        this.name = Objects.requireNonNull(name, "name");
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.tcp = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        accepted.increment();
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

    /** Starts a backend on {@code listen} with its own event loops, on the transport {@code auto} picks. */
    public static DemoBackend start(String name, InetSocketAddress listen, int threads) throws InterruptedException {
        return start(name, listen, threads, Transport.best());
    }

    /** Starts a backend on {@code listen} with its own event loops on {@code transport}. */
    public static DemoBackend start(String name, InetSocketAddress listen, int threads, Transport transport)
            throws InterruptedException {
        return new DemoBackend(name, listen, transport, transport.newGroup(threads, "backend-" + name), true);
    }

    /** Starts a backend on {@code listen} sharing {@code group}, which must be of the transport {@code auto} picks. */
    public static DemoBackend start(String name, InetSocketAddress listen, EventLoopGroup group)
            throws InterruptedException {
        return new DemoBackend(name, listen, Transport.best(), group, false);
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
        connections.close().awaitUninterruptibly();
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Decides between HTTP/2, HTTP/1 and raw TCP from the first bytes, then gets out of the way. */
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
            if (head.startsWith("PRI * HT")) {
                ctx.pipeline().addAfter(ctx.name(), "h2", io.netty.handler.codec.http2.Http2FrameCodecBuilder.forServer()
                        .initialSettings(io.netty.handler.codec.http2.Http2Settings.defaultSettings()
                                .maxConcurrentStreams(1000).initialWindowSize(1 << 20)).build());
                ctx.pipeline().addAfter("h2", "h2-streams", new io.netty.handler.codec.http2.Http2MultiplexHandler(
                        new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec(true));
                                ch.pipeline().addLast(new HttpAnswer(true));
                            }
                        }));
                ctx.pipeline().remove(this);
                return;
            }
            if (!http && (undecided || "PRI * HT".startsWith(head))) {
                return;
            }
            if (http) {
                ctx.pipeline().addAfter(ctx.name(), "http", new HttpServerCodec());
                ctx.pipeline().addAfter("http", "continue", new io.netty.handler.codec.http.HttpServerExpectContinueHandler());
                ctx.pipeline().addAfter("continue", "answer", new HttpAnswer(false));
            } else {
                ctx.writeAndFlush(Unpooled.copiedBuffer(name + "\n", StandardCharsets.UTF_8));
                ctx.pipeline().addAfter(ctx.name(), "echo", new DemoEcho());
            }
            ctx.pipeline().remove(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Health checks connect and reset; nothing to answer.
            ctx.close();
        }
    }

    /**
     * Requests answered over HTTP, for tests that check what reached an endpoint; Switchboard's own
     * probes ({@code User-Agent: switchboard-probe}) are counted apart, in {@link #probeRequests()}.
     */
    public long httpRequests() {
        return httpRequests.sum();
    }

    /** Probe requests Switchboard sent to see whether a held-down endpoint works again. */
    public long probeRequests() {
        return probeRequests.sum();
    }

    /** TCP connections accepted so far, for tests that check what a proxy opened to an endpoint. */
    public long acceptedConnections() {
        return accepted.sum();
    }

    /** TCP connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** Makes every HTTP answer carry {@code status} (0 restores normal answers). */
    public void forceStatus(int status) {
        this.forcedStatus = status;
    }

    /**
     * One HTTP/1.1 connection or HTTP/2 stream. Paths: {@code /echo} streams the request body back,
     * {@code /bytes/N} sends N bytes, {@code /status/C} answers C, {@code /delay/MS} answers after MS
     * milliseconds, {@code /headers} lists the request headers, anything else answers the name. An
     * {@code Upgrade: websocket} handshake starts a WebSocket echo; {@code Upgrade: echo} switches to
     * raw byte echo.
     */
    private final class HttpAnswer extends ChannelInboundHandlerAdapter {
        private final boolean http2;
        private boolean echo;
        private boolean keepAlive = true;
        private HttpVersion version = HttpVersion.HTTP_1_1;

        HttpAnswer(boolean http2) {
            this.http2 = http2;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.handler.codec.http.HttpRequest req) {
                ("switchboard-probe".equals(req.headers().get(HttpHeaderNames.USER_AGENT)) ? probeRequests
                        : httpRequests).increment();
                version = req.protocolVersion();
                keepAlive = http2 || HttpUtil.isKeepAlive(req);
                String path = new io.netty.handler.codec.http.QueryStringDecoder(req.uri()).path();
                if (!http2 && "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
                    webSocket(ctx, req);
                    io.netty.util.ReferenceCountUtil.release(msg);
                    return;
                }
                if (!http2 && "echo".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
                    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.SWITCHING_PROTOCOLS);
                    r.headers().set(HttpHeaderNames.UPGRADE, "echo");
                    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
                    ctx.writeAndFlush(r);
                    ctx.pipeline().addLast(new DemoEcho());
                    ctx.pipeline().remove(HttpServerCodec.class);
                    ctx.pipeline().remove(io.netty.handler.codec.http.HttpServerExpectContinueHandler.class);
                    ctx.pipeline().remove(this);
                    io.netty.util.ReferenceCountUtil.release(msg);
                    return;
                }
                int forced = forcedStatus;
                if (forced != 0) {
                    answer(ctx, HttpResponseStatus.valueOf(forced), name + "\n", req);
                } else if (path.equals("/echo")) {
                    echo = true;
                    io.netty.handler.codec.http.HttpResponse r = new io.netty.handler.codec.http.DefaultHttpResponse(
                            version, HttpResponseStatus.OK);
                    r.headers().set("X-Backend", name);
                    if (!http2) {
                        HttpUtil.setTransferEncodingChunked(r, true);
                    }
                    ctx.write(r);
                } else if (path.startsWith("/bytes/")) {
                    sendBytes(ctx, Long.parseLong(path.substring(7)));
                } else if (path.startsWith("/status/")) {
                    answer(ctx, HttpResponseStatus.valueOf(Integer.parseInt(path.substring(8))), name + "\n", req);
                } else if (path.startsWith("/delay/")) {
                    long ms = Long.parseLong(path.substring(7));
                    ctx.executor().schedule(() -> answer(ctx, HttpResponseStatus.OK, name + "\n", req), ms,
                            java.util.concurrent.TimeUnit.MILLISECONDS);
                } else if (path.equals("/headers")) {
                    StringBuilder sb = new StringBuilder();
                    req.headers().forEach(e -> sb.append(e.getKey().toLowerCase(java.util.Locale.ROOT)).append(": ")
                            .append(e.getValue()).append('\n'));
                    answer(ctx, HttpResponseStatus.OK, sb.toString(), req);
                } else {
                    answer(ctx, HttpResponseStatus.OK, name + "\n", req);
                }
            }
            if (msg instanceof io.netty.handler.codec.http.HttpContent c) {
                if (echo) {
                    if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
                        echo = false;
                        ctx.write(msg);
                        finish(ctx);
                        return;
                    }
                    ctx.write(new io.netty.handler.codec.http.DefaultHttpContent(c.content()));
                    if (!ctx.channel().isWritable()) {
                        // Stop reading first: the flush may drain the buffer and fire the writability
                        // event at once, which turns reading back on.
                        ctx.channel().config().setAutoRead(false);
                        ctx.flush();
                    }
                    return;
                }
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            if (!(msg instanceof io.netty.handler.codec.http.HttpRequest)) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String text,
                            io.netty.handler.codec.http.HttpRequest req) {
            ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(version, status, body);
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            resp.headers().set("X-Backend", name);
            resp.headers().set("X-Path", req.uri());
            HttpUtil.setContentLength(resp, body.readableBytes());
            if (!http2 && !keepAlive) {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (!http2 && version.equals(HttpVersion.HTTP_1_0)) {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.write(resp);
            finish(ctx);
        }

        private void sendBytes(ChannelHandlerContext ctx, long n) {
            io.netty.handler.codec.http.HttpResponse r = new io.netty.handler.codec.http.DefaultHttpResponse(version,
                    HttpResponseStatus.OK);
            r.headers().set("X-Backend", name);
            HttpUtil.setContentLength(r, n);
            ctx.write(r);
            new Object() {
                long left = n;

                void more() {
                    while (left > 0 && ctx.channel().isWritable()) {
                        int chunk = (int) Math.min(64 * 1024, left);
                        left -= chunk;
                        ByteBuf b = ctx.alloc().buffer(chunk);
                        b.writeZero(chunk);
                        ctx.write(left == 0 ? new io.netty.handler.codec.http.DefaultLastHttpContent(b)
                                : new io.netty.handler.codec.http.DefaultHttpContent(b));
                    }
                    if (left == 0) {
                        finish(ctx);
                    } else {
                        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.executor().execute(this::more));
                    }
                }
            }.more();
        }

        private void finish(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!http2 && !keepAlive) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void webSocket(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpRequest req) {
            var factory = new io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory(
                    "ws://" + req.headers().get(HttpHeaderNames.HOST) + req.uri(), null, true);
            var handshaker = factory.newHandshaker(req);
            if (handshaker == null) {
                io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory
                        .sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            ctx.pipeline().remove(io.netty.handler.codec.http.HttpServerExpectContinueHandler.class);
            ctx.pipeline().replace(this, "ws", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object m) {
                    if (m instanceof io.netty.handler.codec.http.websocketx.CloseWebSocketFrame close) {
                        handshaker.close(c.channel(), close.retain());
                        io.netty.util.ReferenceCountUtil.release(m);
                    } else if (m instanceof io.netty.handler.codec.http.websocketx.PingWebSocketFrame ping) {
                        c.writeAndFlush(new io.netty.handler.codec.http.websocketx.PongWebSocketFrame(ping.content()));
                    } else if (m instanceof io.netty.handler.codec.http.websocketx.TextWebSocketFrame text) {
                        c.writeAndFlush(new io.netty.handler.codec.http.websocketx.TextWebSocketFrame(
                                name + ": " + text.text()));
                        text.release();
                    } else if (m instanceof io.netty.handler.codec.http.websocketx.WebSocketFrame frame) {
                        c.writeAndFlush(frame);
                    } else {
                        io.netty.util.ReferenceCountUtil.release(m);
                    }
                }
            });
            handshaker.handshake(ctx.channel(), req);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
