package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointCodecTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new EndpointCodec(new HttpDecoderConfig()));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void request(HttpMethod method) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ByteBuf sent = channel.readOutbound();
        assertThat(sent.toString(StandardCharsets.US_ASCII)).startsWith(method.name() + " / HTTP/1.1\r\n");
        sent.release();
    }

    /** Feeds {@code text} from the endpoint; returns the heads and the body bytes decoded, in order. */
    private List<Object> respond(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            if (o instanceof HttpResponse r) {
                assertThat(r.decoderResult().isSuccess()).as("%s", r.decoderResult()).isTrue();
                out.add(r);
            }
            if (o instanceof HttpContent c) {
                if (c.content().isReadable()) {
                    out.add(c.content().toString(StandardCharsets.US_ASCII));
                }
                if (c instanceof LastHttpContent) {
                    out.add("<end>");
                }
                ReferenceCountUtil.release(o);
            }
        }
        return out;
    }

    @Test
    void aResponseToHeadEndsAtItsHeadWhateverItsLengthSays() {
        request(HttpMethod.HEAD);
        request(HttpMethod.GET);
        List<Object> out = respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(out).hasSize(5);
        assertThat(out.get(1)).isEqualTo("<end>");
        assertThat(out.get(3)).isEqualTo("hello");
        assertThat(out.get(4)).isEqualTo("<end>");
    }

    @Test
    void anInterimResponseDoesNotUseUpTheRequestItPrecedes() {
        request(HttpMethod.HEAD);
        List<Object> out = respond("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(((HttpResponse) out.get(0)).status()).isSameAs(HttpResponseStatus.CONTINUE);
        assertThat(((HttpResponse) out.get(2)).status()).isSameAs(HttpResponseStatus.OK);
        assertThat(out.get(3)).isEqualTo("<end>");
    }

    @Test
    void aStandardStatusLineAndCommonNamesAreSharedInstancesOthersAreReadAsSent() {
        request(HttpMethod.GET);
        request(HttpMethod.GET);
        request(HttpMethod.GET);
        List<Object> out = respond("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nServer: a\r\nx-custom: 1\r\n\r\n"
                + "HTTP/1.1 200 Fine\r\ncontent-length: 0\r\nSERVER: b\r\n\r\n"
                + "HTTP/1.0 599 Odd\r\nContent-Length: 0\r\n\r\n");
        HttpResponse standard = (HttpResponse) out.get(0);
        assertThat(standard.status()).isSameAs(HttpResponseStatus.OK);
        assertThat(standard.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
        List<String> names = names(standard);
        assertThat(names).containsExactly("Content-Length", "Server", "x-custom");

        HttpResponse own = (HttpResponse) out.get(2);
        assertThat(own.status().code()).isEqualTo(200);
        assertThat(own.status().reasonPhrase()).isEqualTo("Fine");
        assertThat(names(own)).containsExactly("content-length", "SERVER");
        assertThat(own.headers().get("Server")).isEqualTo("b");

        HttpResponse odd = (HttpResponse) out.get(4);
        assertThat(odd.protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
        assertThat(odd.status().code()).isEqualTo(599);
        assertThat(odd.status().reasonPhrase()).isEqualTo("Odd");
    }

    @Test
    void twoResponsesGetTheSameNameInstanceForACommonName() {
        request(HttpMethod.GET);
        request(HttpMethod.GET);
        List<Object> out = respond("HTTP/1.1 204 No Content\r\nDate: x\r\n\r\nHTTP/1.1 204 No Content\r\nDate: y\r\n\r\n");
        CharSequence a = ((HttpResponse) out.get(0)).headers().iteratorCharSequence().next().getKey();
        CharSequence b = ((HttpResponse) out.get(2)).headers().iteratorCharSequence().next().getKey();
        assertThat(a).hasToString("Date");
        assertThat(b).isSameAs(a);
        assertThat(((HttpResponse) out.get(0)).status()).isSameAs(HttpResponseStatus.NO_CONTENT);
    }

    @Test
    void aResponseHeaderNameThatIsNotATokenFailsTheResponse() {
        request(HttpMethod.GET);
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nX(A): 1\r\nContent-Length: 0\r\n\r\n",
                StandardCharsets.US_ASCII));
        HttpResponse r = channel.readInbound();
        assertThat(r.decoderResult().isFailure()).isTrue();
        assertThat(r.decoderResult().cause()).hasMessageContaining("token");
    }

    @Test
    void aStatusCodeThatIsNotExactlyThreeDigitsFailsTheResponse() {
        for (String code : List.of("+200", "0200", "20", "2000", "2O0")) {
            EmbeddedChannel c = new EmbeddedChannel(new EndpointCodec(new HttpDecoderConfig()));
            c.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
            ReferenceCountUtil.release(c.readOutbound());
            c.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 " + code + " OK\r\nContent-Length: 0\r\n\r\n",
                    StandardCharsets.US_ASCII));
            HttpResponse r = c.readInbound();
            assertThat(r.decoderResult().isFailure()).as(code).isTrue();
            c.finishAndReleaseAll();
        }
    }

    private static List<String> names(HttpResponse r) {
        List<String> names = new ArrayList<>();
        r.headers().iteratorCharSequence().forEachRemaining(e -> names.add(e.getKey().toString()));
        return names;
    }
}
