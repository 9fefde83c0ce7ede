package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StrictRequestDecoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(8192, 16384));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private List<HttpRequest> requests() {
        List<HttpRequest> heads = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            if (o instanceof HttpRequest r) {
                assertThat(r.decoderResult().isSuccess()).as("%s", r.decoderResult()).isTrue();
                heads.add(r);
            }
            if (o instanceof HttpContent) {
                ReferenceCountUtil.release(o);
            }
        }
        return heads;
    }

    @Test
    void aHeaderLineStartingWithSpaceOrTabIsRefused() {
        assertThatThrownBy(() -> send("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n"))
                .isInstanceOf(StrictRequestDecoder.ObsoleteLineFoldingException.class);
        EmbeddedChannel tab = new EmbeddedChannel(new StrictRequestDecoder(8192, 16384));
        assertThatThrownBy(() -> tab.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX-A: 1\r\n\t2\r\nHost: a\r\n\r\n",
                StandardCharsets.US_ASCII))).isInstanceOf(StrictRequestDecoder.ObsoleteLineFoldingException.class);
        tab.finishAndReleaseAll();
    }

    @Test
    void aFoldedLineArrivingInALaterReadIsRefusedToo() {
        send("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n");
        assertThat(requests()).isEmpty();
        assertThatThrownBy(() -> send(" 2\r\n\r\n")).isInstanceOf(StrictRequestDecoder.ObsoleteLineFoldingException.class);
    }

    @Test
    void spacesWithinLinesLeadingEmptyLinesAndBodiesAreNotFolding() {
        send("\r\n\r\nPOST /a%20b HTTP/1.1\r\nHost: a\r\nX-A: one two\t three\r\nContent-Length: 8\r\n\r\n\r\n 12\r\n\t");
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        List<HttpRequest> heads = requests();
        assertThat(heads).hasSize(2);
        assertThat(heads.get(0).headers().get("x-a")).isEqualTo("one two\t three");
        assertThat(heads.get(1).uri()).isEqualTo("/");
    }

    @Test
    void aRequestLineStartingWithSpaceIsNotTakenForAContinuation() {
        // Not folding (nothing precedes it to continue); Netty's own parsing decides what it is.
        send(" GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Object o = channel.readInbound();
        assertThat(o).isInstanceOf(HttpRequest.class);
    }

    @Test
    void anUnknownMajorVersionIsRefusedAndAHigherMinorServedAs11() {
        send("GET / HTTP/1.7\r\nHost: a\r\n\r\n");
        assertThat(requests()).singleElement().satisfies(r -> assertThat(r.protocolVersion().text()).isEqualTo("HTTP/1.1"));
        send("GET / HTTP/3.0\r\nHost: a\r\n\r\n");
        HttpRequest refused = (HttpRequest) channel.readInbound();
        assertThat(refused.decoderResult().cause()).isInstanceOf(StrictRequestDecoder.UnsupportedVersionException.class);
    }

    @Test
    void aHeaderNameThatIsNotATokenFailsTheRequestWhetherOrNotItIsACommonOne() {
        for (String head : List.of("Host : a\r\n", "User-Agent : a\r\nHost: a\r\n", "X(A): 1\r\nHost: a\r\n",
                "Host: a\r\nX-\u0001: 1\r\n")) {
            EmbeddedChannel c = new EmbeddedChannel(new StrictRequestDecoder(8192, 16384));
            c.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n" + head + "\r\n", StandardCharsets.ISO_8859_1));
            HttpRequest r = c.readInbound();
            assertThat(r.decoderResult().isFailure()).as("%s", head).isTrue();
            assertThat(r.decoderResult().cause()).as("%s", head).hasMessageContaining("token");
            c.finishAndReleaseAll();
        }
        send("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: b\r\nX-Custom_1: c\r\n\r\n");
        HttpRequest ok = requests().get(0);
        assertThat(ok.headers().get("user-agent")).isEqualTo("b");
        assertThat(ok.headers().get("X-Custom_1")).isEqualTo("c");
    }
}
