package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http2FramesTest {

    private final List<Http2StreamFrame> out = new ArrayList<>();

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void aRequestHeadBecomesARequestLineWithHostAndNoConnectionHeaders() throws Exception {
        DefaultHttp2Headers h = new DefaultHttp2Headers();
        h.method("POST").path("/a?b=1").scheme("http").authority("svc.test:8080").add("x-id", "7");
        HttpRequest r = Http2Frames.toRequest(3, h);
        assertThat(r.method().name()).isEqualTo("POST");
        assertThat(r.uri()).isEqualTo("/a?b=1");
        assertThat(r.headers().get("host")).isEqualTo("svc.test:8080");
        assertThat(r.headers().get("x-id")).isEqualTo("7");
        assertThat(r.headers().contains("transfer-encoding")).isFalse();
        assertThat(r.headers().names()).noneMatch(n -> n.startsWith("x-http2-"));
    }

    @Test
    void aHeadThatCannotBeARequestIsAStreamErrorOfTypeProtocolError() {
        List<Http2Headers> malformed = List.of(
                new DefaultHttp2Headers().path("/").scheme("http").authority("a"),
                new DefaultHttp2Headers().method("GET").scheme("http").authority("a"),
                new DefaultHttp2Headers(false).method("G T").path("/").scheme("http").authority("a"),
                new DefaultHttp2Headers(false).method("GET").path("/a b").scheme("http").authority("a"),
                new DefaultHttp2Headers().method("CONNECT"));
        for (Http2Headers h : malformed) {
            assertThatThrownBy(() -> Http2Frames.toRequest(5, h)).as(h.toString())
                    .isInstanceOfSatisfying(Http2Exception.StreamException.class, e -> {
                        assertThat(e.error()).isEqualTo(Http2Error.PROTOCOL_ERROR);
                        assertThat(e.streamId()).isEqualTo(5);
                    });
        }
    }

    @Test
    void trailersBecomeTheLastPartsTrailingHeaders() throws Exception {
        LastHttpContent last = Http2Frames.toTrailers(3, new DefaultHttp2Headers().add("grpc-status", "0"));
        assertThat(last.content().readableBytes()).isZero();
        assertThat(last.trailingHeaders().get("grpc-status")).isEqualTo("0");
    }

    @Test
    void aHeadThenContentThenAnEmptyLastPartEndTheStreamOnTheLastDataFrame() {
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("connection", "keep-alive").set("content-length", "2");
        Http2Frames.writeResponse(null, head, out::add);
        Http2Frames.writeResponse(null, new DefaultHttpContent(text("hi")), out::add);
        Http2Frames.writeResponse(null, new DefaultLastHttpContent(), out::add);
        assertThat(out).hasSize(3);
        Http2HeadersFrame h = (Http2HeadersFrame) out.get(0);
        assertThat(h.isEndStream()).isFalse();
        assertThat(h.headers().status().toString()).isEqualTo("200");
        assertThat(h.headers().contains("connection")).isFalse();
        assertThat(((Http2DataFrame) out.get(1)).isEndStream()).isFalse();
        assertThat(((Http2DataFrame) out.get(2)).isEndStream()).isTrue();
        out.forEach(f -> io.netty.util.ReferenceCountUtil.release(f));
    }

    @Test
    void aBodylessFullResponseIsOneHeadersFrameEndingTheStream() {
        Http2Frames.writeResponse(null, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT),
                out::add);
        assertThat(out).hasSize(1);
        assertThat(((Http2HeadersFrame) out.get(0)).isEndStream()).isTrue();
    }

    @Test
    void aLastPartWithTrailersIsDataThenAHeadersFrameEndingTheStream() {
        DefaultLastHttpContent last = new DefaultLastHttpContent(text("body"));
        last.trailingHeaders().set("grpc-status", "0");
        Http2Frames.writeResponse(null, last, out::add);
        assertThat(out).hasSize(2);
        Http2DataFrame data = (Http2DataFrame) out.get(0);
        assertThat(data.isEndStream()).isFalse();
        assertThat(data.content().toString(StandardCharsets.UTF_8)).isEqualTo("body");
        Http2HeadersFrame trailers = (Http2HeadersFrame) out.get(1);
        assertThat(trailers.isEndStream()).isTrue();
        assertThat(trailers.headers().get("grpc-status").toString()).isEqualTo("0");
        data.release();
    }
}
