package io.switchboard.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import io.switchboard.dataplane.DrainEvent;
import io.switchboard.routing.VirtualAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns an accepted connection to an HTTP Service port into an HTTP server: HTTP/2 when the client
 * opens with the HTTP/2 connection preface (prior knowledge, as gRPC and h2c clients do), HTTP/1.1
 * otherwise, on the same port.
 */
public final class HttpFrontend {

    /** Longest request line accepted; longer gets 414. */
    static final int MAX_REQUEST_LINE = 8192;
    /** Largest request head accepted; larger gets 431. */
    static final int MAX_HEADERS = 16 * 1024;
    /**
     * Streams one HTTP/2 client connection may have open at once: HAProxy's and nginx's default (100
     * and 128), so one connection cannot hold a thousand requests' worth of endpoint capacity.
     */
    static final int MAX_CONCURRENT_STREAMS = 100;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private HttpFrontend() {
    }

    /** Installs protocol detection on {@code client}, which reached {@code address}. */
    public static void install(Channel client, VirtualAddress address, HttpContext http) {
        client.pipeline().addLast("detect", new Detector(address, http));
    }

    /** Waits for enough bytes to tell the HTTP/2 preface from an HTTP/1 request, then sets up that server. */
    private static final class Detector extends ByteToMessageDecoder {
        private final VirtualAddress address;
        private final HttpContext http;

        Detector(VirtualAddress address, HttpContext http) {
            this.address = address;
            this.http = http;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                    http1(ctx);
                    return;
                }
            }
            if (n == PREFACE.length) {
                http2(ctx);
            }
        }

        private void http1(ChannelHandlerContext ctx) {
            InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
            Http1ServerHandler handler = new Http1ServerHandler(http, address, client);
            ctx.pipeline().addAfter(ctx.name(), "head-watch", handler.headWatcher());
            ctx.pipeline().addAfter("head-watch", "decoder", new StrictRequestDecoder(MAX_REQUEST_LINE, MAX_HEADERS));
            ctx.pipeline().addAfter("decoder", "encoder", new HttpResponseEncoder());
            ctx.pipeline().addAfter("encoder", "http1", handler);
            ctx.pipeline().remove(this);
        }

        private void http2(ChannelHandlerContext ctx) {
            InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
            HeaderRules.Forwarding forwarding = HeaderRules.Forwarding.of(client, "http");
            ctx.pipeline().addFirst("linger", new LingeringClose());
            ctx.pipeline().addAfter(ctx.name(), "h2", Http2ServerCodecs.build(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(MAX_CONCURRENT_STREAMS).initialWindowSize(1 << 20).maxHeaderListSize(MAX_HEADERS)));
            ctx.pipeline().addAfter("h2", "h2-closing", new Http2Closing());
            ctx.pipeline().addAfter("h2-closing", "h2-resets", new Http2ResetGuard(http.resets(), client.getAddress()));
            ctx.pipeline().addAfter("h2-resets", "h2-streams", new Http2ClientConnection(http, address, client, forwarding));
            ctx.pipeline().remove(this);
            if (http.state().draining()) {
                // Told before it was known to be HTTP/2: tell the handler that needs it.
                ctx.pipeline().context("h2").fireUserEventTriggered(DrainEvent.INSTANCE);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            // Decodes what is left first, which may hand the connection to HTTP/1 (a request sent whole,
            // then a half-close) and forwards the event there.
            super.userEventTriggered(ctx, evt);
            if (evt instanceof ChannelInputShutdownEvent && !ctx.isRemoved()) {
                // The client left before a whole first request: nothing to answer, and nobody else
                // would close this side (half-closure is allowed).
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public String toString() {
            return "Detector(" + ByteBufUtil.hexDump(PREFACE, 0, 3) + ")";
        }
    }
}
