package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseRelayTest {

    private final RecordingDownstream down = new RecordingDownstream(false);
    private final RecordingUpstream upstream = new RecordingUpstream();

    @AfterEach
    void release() {
        down.releaseAll();
    }

    private static HttpRequest get() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    }

    private static HttpResponse head(HttpResponseStatus status) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        return r;
    }

    private static LastHttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    private HttpResponse writtenHead() {
        return (HttpResponse) down.written.stream().filter(o -> o instanceof HttpResponse).findFirst().orElseThrow();
    }

    private String writtenBody() {
        StringBuilder sb = new StringBuilder();
        for (HttpObject o : down.written) {
            if (o instanceof HttpContent c) {
                sb.append(c.content().toString(StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    @Test
    void every1xxBut101IsInterim() {
        assertThat(ResponseRelay.isInterim(100)).isTrue();
        assertThat(ResponseRelay.isInterim(103)).isTrue();
        assertThat(ResponseRelay.isInterim(101)).as("a protocol switch is final").isFalse();
        assertThat(ResponseRelay.isInterim(200)).isFalse();
    }

    @Test
    void noBodyFollowsForHeadNor204Nor304NorAFullResponseWithoutContent() {
        assertThat(ResponseRelay.hasBody(head(HttpResponseStatus.OK), HttpMethod.GET)).isTrue();
        assertThat(ResponseRelay.hasBody(head(HttpResponseStatus.OK), HttpMethod.HEAD)).isFalse();
        assertThat(ResponseRelay.hasBody(head(HttpResponseStatus.NO_CONTENT), HttpMethod.GET)).isFalse();
        assertThat(ResponseRelay.hasBody(head(HttpResponseStatus.NOT_MODIFIED), HttpMethod.GET)).isFalse();
        FullHttpResponse empty = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        assertThat(ResponseRelay.hasBody(empty, HttpMethod.GET)).isFalse();
        empty.trailingHeaders().set("grpc-status", "0");
        assertThat(ResponseRelay.hasBody(empty, HttpMethod.GET)).as("trailers are a body to relay").isTrue();
    }

    @Test
    void anEndpointMaySendEightInterimResponsesPerTryAndTheNinthFailsTheTry() {
        ResponseRelay relay = new ResponseRelay(down, get());
        for (int i = 0; i < ResponseRelay.MAX_INTERIM; i++) {
            assertThat(relay.relayInterim(head(HttpResponseStatus.CONTINUE), upstream)).isTrue();
        }
        assertThat(down.written).as("each one as head and empty end").hasSize(2 * ResponseRelay.MAX_INTERIM);
        assertThat(down.flushes).isEqualTo(ResponseRelay.MAX_INTERIM);
        assertThat(relay.relayInterim(head(HttpResponseStatus.CONTINUE), upstream)).isFalse();
        assertThat(down.written).hasSize(2 * ResponseRelay.MAX_INTERIM);
        relay.newTry();
        assertThat(relay.relayInterim(head(HttpResponseStatus.CONTINUE), upstream)).as("the next endpoint's own")
                .isTrue();
        assertThat(relay.started()).isFalse();
    }

    @Test
    void anInterimResponseWaitsForAClientThatIsNotReading() {
        ResponseRelay relay = new ResponseRelay(down, get());
        down.writable = false;
        relay.relayInterim(head(HttpResponseStatus.EARLY_HINTS), upstream);
        assertThat(upstream.readable).isFalse();
    }

    @Test
    void theEmptyLastPartDecodedAfterAnHttp1InterimResponseIsSwallowedOnce() {
        ResponseRelay relay = new ResponseRelay(down, get());
        assertThat(relay.swallowEmptyLast(LastHttpContent.EMPTY_LAST_CONTENT)).as("no 1xx before").isFalse();
        relay.relayInterim(head(HttpResponseStatus.CONTINUE), upstream);
        assertThat(relay.swallowEmptyLast(LastHttpContent.EMPTY_LAST_CONTENT)).isTrue();
        assertThat(relay.swallowEmptyLast(LastHttpContent.EMPTY_LAST_CONTENT)).isFalse();
    }

    @Test
    void aFinalHeadWaitsForTheEndOfTheEndpointsReadBatchOrItsBody() {
        ResponseRelay relay = new ResponseRelay(down, get());
        relay.began(200);
        assertThat(relay.relayHead(head(HttpResponseStatus.OK), upstream, null)).isFalse();
        assertThat(down.written).as("held").isEmpty();
        relay.flush(upstream);
        assertThat(writtenHead().status().code()).isEqualTo(200);
        assertThat(relay.relayContent(last("ok"), upstream)).as("the last part completes it").isTrue();
        assertThat(writtenBody()).isEqualTo("ok");
        assertThat(relay.status()).isEqualTo(200);
        assertThat(relay.keepAlive()).isTrue();
        assertThat(relay.upstreamReusable()).isTrue();

        RecordingDownstream other = new RecordingDownstream(false);
        ResponseRelay byBody = new ResponseRelay(other, get());
        byBody.began(200);
        byBody.relayHead(head(HttpResponseStatus.OK), upstream, null);
        HttpContent part = new DefaultHttpContent(Unpooled.copiedBuffer("o", StandardCharsets.US_ASCII));
        assertThat(byBody.relayContent(part, upstream)).isFalse();
        assertThat(other.written).as("the head goes first").hasSize(2).first().isInstanceOf(HttpResponse.class);
        other.releaseAll();
    }

    @Test
    void aHeadStillHeldWhenTheTryFailsNeverReachesTheClient() {
        ResponseRelay relay = new ResponseRelay(down, get());
        relay.began(200);
        relay.relayHead(head(HttpResponseStatus.OK), upstream, null);
        relay.dropHeldHead();
        assertThat(relay.started()).as("as if no head had come").isFalse();
        relay.flush(upstream);
        assertThat(down.written).isEmpty();
    }

    @Test
    void aFullResponseIsWrittenAsOneMessageAndCompletesAtOnce() {
        ResponseRelay relay = new ResponseRelay(down, get());
        FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        full.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        relay.began(200);
        assertThat(relay.relayHead(full, upstream, null)).isTrue();
        assertThat(down.written).hasSize(1);
        assertThat(down.written.get(0)).isInstanceOf(FullHttpResponse.class);
        assertThat(writtenBody()).isEqualTo("hi");
    }

    @Test
    void aFullResponseWithTrailersIsWrittenAsHeadAndLastPartSoAnHttp10ClientLosesOnlyTheTrailers() {
        ResponseRelay relay = new ResponseRelay(down, get());
        FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        full.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        full.trailingHeaders().set("x-checksum", "1");
        relay.began(200);
        assertThat(relay.relayHead(full, upstream, null)).isTrue();
        assertThat(down.written).hasSize(2);
        assertThat(down.written.get(0)).isNotInstanceOf(HttpContent.class);
        assertThat(((LastHttpContent) down.written.get(1)).trailingHeaders().get("x-checksum")).isEqualTo("1");
        assertThat(writtenBody()).isEqualTo("hi");
    }

    @Test
    void aHeadAndItsWholeBodyFromOneReadGoOutAsOneMessage() {
        ResponseRelay relay = new ResponseRelay(down, get());
        relay.began(200);
        assertThat(relay.relayHead(head(HttpResponseStatus.OK), upstream, null)).isFalse();
        assertThat(down.written).as("held until the body's first part").isEmpty();
        assertThat(relay.relayContent(last("ok"), upstream)).isTrue();
        assertThat(down.written).hasSize(1);
        FullHttpResponse full = (FullHttpResponse) down.written.get(0);
        assertThat(full.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(full.headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("2");
        assertThat(writtenBody()).isEqualTo("ok");
        assertThat(relay.upstreamReusable()).isTrue();
    }

    @Test
    void aHeadWhoseBodyComesInPartsGoesOutAlone() {
        ResponseRelay relay = new ResponseRelay(down, get());
        relay.began(200);
        relay.relayHead(head(HttpResponseStatus.OK), upstream, null);
        assertThat(relay.relayContent(new DefaultHttpContent(Unpooled.copiedBuffer("o", StandardCharsets.US_ASCII)),
                upstream)).isFalse();
        assertThat(relay.relayContent(last("k"), upstream)).isTrue();
        assertThat(down.written).hasSize(3);
        assertThat(down.written.get(0)).isNotInstanceOf(HttpContent.class);
        assertThat(writtenBody()).isEqualTo("ok");
    }

    @Test
    void anEndpointThatSaysItClosesIsNotPooledAgainAndItsConnectionHeaderStaysWithIt() {
        ResponseRelay relay = new ResponseRelay(down, get());
        HttpResponse r = head(HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONNECTION, "close");
        relay.began(200);
        relay.relayHead(r, upstream, null);
        relay.relayContent(last("ok"), upstream);
        assertThat(relay.upstreamReusable()).isFalse();
        assertThat(relay.keepAlive()).as("the client's connection stays").isTrue();
        assertThat(writtenHead().headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
    }

    @Test
    void aClientThatCannotKeepUpPausesTheEndpoint() {
        ResponseRelay relay = new ResponseRelay(down, get());
        relay.began(200);
        relay.relayHead(head(HttpResponseStatus.OK), upstream, null);
        down.writable = false;
        relay.relayContent(new DefaultHttpContent(Unpooled.copiedBuffer("o", StandardCharsets.US_ASCII)), upstream);
        assertThat(upstream.readable).isFalse();
    }

    @Test
    void aStickyCookieNamesTheEndpointInTheResponse() {
        ResponseRelay relay = new ResponseRelay(down, get());
        relay.began(200);
        relay.relayHead(head(HttpResponseStatus.OK), upstream, new DefaultCookie("sb", "abc"));
        relay.flush(upstream);
        assertThat(writtenHead().headers().get(HttpHeaderNames.SET_COOKIE)).startsWith("sb=abc");
    }

    @Test
    void ourAnswerIsPlainTextAndClosesAnHttp1ConnectionWhoseBodyWasNotRead() {
        ResponseRelay relay = new ResponseRelay(down, get());
        relay.answer(HttpResponseStatus.BAD_GATEWAY, "no\n", false, false);
        HttpResponse h = writtenHead();
        assertThat(h.status().code()).isEqualTo(502);
        assertThat(h.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/plain; charset=utf-8");
        assertThat(h.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(3);
        assertThat(h.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(writtenBody()).isEqualTo("no\n");
        assertThat(relay.started()).isTrue();
        assertThat(relay.status()).isEqualTo(502);
        assertThat(relay.keepAlive()).isFalse();
    }

    @Test
    void ourAnswerKeepsTheConnectionOnlyWhenTheBodyWasReadAndTheProxyIsNotDraining() {
        ResponseRelay kept = new ResponseRelay(down, get());
        kept.answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "none\n", true, false);
        assertThat(kept.keepAlive()).isTrue();
        assertThat(writtenHead().headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
        RecordingDownstream other = new RecordingDownstream(false);
        ResponseRelay draining = new ResponseRelay(other, get());
        draining.answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "none\n", true, true);
        assertThat(draining.keepAlive()).isFalse();
        other.releaseAll();
    }

    @Test
    void aGrpcCallIsAnsweredWithItsStatusInATrailersOnlyResponse() {
        RecordingDownstream h2 = new RecordingDownstream(true);
        HttpRequest call = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/svc/Method");
        call.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
        ResponseRelay relay = new ResponseRelay(h2, call);
        relay.answer(HttpResponseStatus.GATEWAY_TIMEOUT, "late\n", true, false);
        assertThat(h2.written).singleElement().satisfies(o -> {
            HttpResponse r = (HttpResponse) o;
            assertThat(r.status().code()).isEqualTo(200);
            assertThat(r.headers().get("grpc-status")).isEqualTo("4");
        });
        assertThat(relay.status()).as("counted as what it stands for").isEqualTo(504);
        h2.releaseAll();
    }
}
