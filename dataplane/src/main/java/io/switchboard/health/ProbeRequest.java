package io.switchboard.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.dataplane.Transport;
import io.switchboard.model.HostPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One {@code GET /} to an endpoint, in HTTP/1.1 or in HTTP/2 with prior knowledge, reporting the
 * response's status (or 0 when none came within the timeout). A probe is a request like any other
 * the endpoint serves; {@code User-Agent: switchboard-probe} lets it be told apart in its logs.
 */
final class ProbeRequest {

    static final String USER_AGENT = "switchboard-probe";

    private ProbeRequest() {
    }

    /** Sends the probe on {@code loop}; {@code status} is called once, on the loop. */
    static void send(EventLoop loop, Transport transport, InetSocketAddress endpoint, boolean http2,
                     Duration timeout, IntConsumer status) {
        Answer answer = new Answer(status);
        String authority = HostPort.of(endpoint);
        Bootstrap b = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .option(ChannelOption.SO_LINGER, 0);
        b.handler(http2 ? new ChannelInboundHandlerAdapter() : new HttpClientCodec());
        b.connect(endpoint).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                answer.give(0);
                return;
            }
            Channel ch = f.channel();
            ScheduledFuture<?> deadline = loop.schedule(() -> {
                answer.give(0);
                ch.close();
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            ch.closeFuture().addListener(c -> {
                deadline.cancel(false);
                answer.give(0);
            });
            if (http2) {
                http2(ch, authority, answer);
            } else {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof HttpResponse r) {
                            answer.give(r.status().code());
                            ctx.close();
                        }
                        ReferenceCountUtil.release(msg);
                    }
                }, new FailOnError(ch, answer));
                DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
                req.headers().set(HttpHeaderNames.HOST, authority)
                        .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ch.writeAndFlush(req);
            }
        });
    }

    private static void http2(Channel ch, String authority, Answer answer) {
        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new FailOnError(ch, answer));
        new Http2StreamChannelBootstrap(ch).handler(new FailOnError(ch, answer) {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame h && h.headers().status() != null) {
                    answer.give(h.headers().getInt(":status", 0));
                    ch.close();
                }
                ReferenceCountUtil.release(msg);
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
                return;
            }
            var stream = (io.netty.handler.codec.http2.Http2StreamChannel) f.getNow();
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path("/")
                    .scheme("http").authority(authority).add("user-agent", USER_AGENT), true));
        });
    }

    /**
     * Last in a probe's pipeline (or its HTTP/2 stream's handler): the probe's connection failed (reset
     * by the endpoint, or an answer that does not parse), so the probe failed and its connection
     * closes. That is its whole report; the health checker counts it, so it is not also logged as an
     * exception nobody handled.
     */
    private static class FailOnError extends ChannelInboundHandlerAdapter {
        private final Channel connection;
        private final Answer answer;

        FailOnError(Channel connection, Answer answer) {
            this.connection = connection;
            this.answer = answer;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.give(0);
            connection.close();
        }
    }

    /** The one answer a probe gives. */
    private static final class Answer {
        private final IntConsumer status;
        private boolean given;

        Answer(IntConsumer status) {
            this.status = status;
        }

        void give(int code) {
            if (!given) {
                given = true;
                status.accept(code);
            }
        }
    }
}
