package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestRelayTest {

    private final RecordingDownstream http1Client = new RecordingDownstream(false);
    private final RequestBody body = new RequestBody();

    private static HttpRequest post(int length) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        req.headers().set(HttpHeaderNames.HOST, "web");
        req.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        return req;
    }

    private static HttpContent part(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    private static HttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    private RequestRelay relay(RecordingDownstream client, HttpRequest req, boolean hasBody, boolean http2Upstream) {
        return new RequestRelay(client, req, hasBody, body, http2Upstream, Pools.VIP);
    }

    @Test
    void theForwardedHeadLosesItsHopByHopHeadersAndGainsForwardingHeadersAndAHost() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set(HttpHeaderNames.CONNECTION, "keep-alive, x-private");
        req.headers().set("x-private", "1");
        relay(http1Client, req, false, false);
        assertThat(req.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
        assertThat(req.headers().contains("x-private")).isFalse();
        assertThat(req.headers().get("x-forwarded-for")).isEqualTo("192.0.2.1");
        assertThat(req.headers().get(HttpHeaderNames.HOST)).isEqualTo("10.96.0.20:80");
    }

    @Test
    void anHttp1EndpointIsNotTakenBeforeTheBodyArrived() {
        RequestRelay relay = relay(http1Client, post(5), true, false);
        assertThat(relay.readyToStart()).isFalse();
        relay.onContent(part("hel"), null, false);
        assertThat(relay.readyToStart()).isFalse();
        relay.onContent(last("lo"), null, false);
        assertThat(relay.readyToStart()).isTrue();
        assertThat(http1Client.readable).as("the client was never paused").isNull();
        body.release();
    }

    @Test
    void aBodyPastThePendingLimitStartsTheTryAndPausesTheClient() {
        RequestRelay relay = relay(http1Client, post(RequestBody.PENDING_LIMIT + 2), true, false);
        relay.onContent(new DefaultHttpContent(Unpooled.buffer().writeZero(RequestBody.PENDING_LIMIT)), null, false);
        assertThat(relay.readyToStart()).isFalse();
        relay.onContent(part("z"), null, false);
        assertThat(relay.readyToStart()).isTrue();
        assertThat(http1Client.readable).isFalse();
        body.release();
    }

    @Test
    void aStreamingEndpointAnUpgradeOrAnExpectedContinueDoNotWaitForTheBody() {
        assertThat(relay(http1Client, post(5), true, true).readyToStart()).as("HTTP/2 endpoint").isTrue();
        HttpRequest upgrade = post(5);
        upgrade.headers().set(HttpHeaderNames.CONNECTION, "upgrade");
        upgrade.headers().set(HttpHeaderNames.UPGRADE, "websocket");
        RequestRelay upgrading = relay(http1Client, upgrade, true, false);
        assertThat(upgrading.readyToStart()).isTrue();
        assertThat(upgrading.upgradeRequested()).isTrue();
        HttpRequest expect = post(5);
        expect.headers().set(HttpHeaderNames.EXPECT, "100-continue");
        assertThat(relay(http1Client, expect, true, false).readyToStart()).isTrue();
    }

    @Test
    void anHttp2ClientsFirstTryWaitsForTheEndOfItsReadBatch() {
        RequestRelay relay = relay(new RecordingDownstream(true), new DefaultHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.GET, "/"), false, true);
        assertThat(relay.readyToStart()).isFalse();
        assertThat(relay.readBatchEnded()).isTrue();
        assertThat(relay.readyToStart()).isTrue();
        assertThat(relay.readBatchEnded()).as("only the first batch held it").isFalse();
        assertThat(relay.upgradeRequested()).as("HTTP/2 clients cannot upgrade").isFalse();
    }

    @Test
    void everyTrySendsTheHeadAndTheBodySoFar() {
        RequestRelay relay = relay(http1Client, post(5), true, false);
        relay.onContent(last("hello"), null, false);
        RecordingUpstream first = new RecordingUpstream();
        relay.send(first);
        RecordingUpstream retry = new RecordingUpstream();
        relay.send(retry);
        for (RecordingUpstream u : new RecordingUpstream[] {first, retry}) {
            assertThat(u.written.get(0)).isInstanceOf(HttpRequest.class);
            assertThat(((HttpRequest) u.written.get(0)).headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(5);
            assertThat(u.text()).isEqualTo("hello|");
            u.releaseAll();
        }
        body.release();
    }

    @Test
    void aRequestWithoutBodyGoesOutAsOneMessageOnEveryTry() {
        HttpRequest get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        RequestRelay relay = relay(http1Client, get, false, false);
        for (int i = 0; i < 2; i++) {
            RecordingUpstream u = new RecordingUpstream();
            relay.send(u);
            assertThat(u.written).hasSize(1);
            FullHttpRequest sent = (FullHttpRequest) u.written.get(0);
            assertThat(sent.content().isReadable()).isFalse();
            assertThat(sent.headers().get("x-forwarded-for")).isEqualTo("192.0.2.1");
            u.releaseAll();
        }
    }

    @Test
    void aBodyInOnePartGoesOutWithTheHeadAndStaysForTheRetry() {
        RequestRelay relay = relay(http1Client, post(5), true, false);
        HttpContent whole = last("hello");
        relay.onContent(whole, null, false);
        RecordingUpstream first = new RecordingUpstream();
        relay.send(first);
        assertThat(first.written).hasSize(1);
        assertThat(first.text()).isEqualTo("hello|");
        first.releaseAll();
        assertThat(whole.refCnt()).as("kept for a replay").isEqualTo(1);
        RecordingUpstream retry = new RecordingUpstream();
        relay.send(retry);
        assertThat(retry.text()).isEqualTo("hello|");
        retry.releaseAll();
        body.release();
        assertThat(whole.refCnt()).isZero();
    }

    @Test
    void aBodyInSeveralPartsGoesOutAfterTheHead() {
        RequestRelay relay = relay(http1Client, post(5), true, false);
        relay.onContent(part("hel"), null, false);
        relay.onContent(last("lo"), null, false);
        RecordingUpstream u = new RecordingUpstream();
        relay.send(u);
        assertThat(u.written).hasSize(3);
        assertThat(u.written.get(0)).isNotInstanceOf(HttpContent.class);
        assertThat(u.text()).isEqualTo("hello|");
        u.releaseAll();
        body.release();
    }

    @Test
    void aFullRequestsContentIsItsWholeBody() {
        FullHttpRequest full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII));
        relay(new RecordingDownstream(true), full, false, true);
        assertThat(body.complete()).isTrue();
        RecordingUpstream u = new RecordingUpstream();
        body.sendTo(u);
        assertThat(u.text()).isEqualTo("abc|");
        u.releaseAll();
        body.release();
        assertThat(full.refCnt()).isZero();
    }

    @Test
    void partsPassToTheCurrentTryAndOneThatIsBackedUpPausesTheClient() {
        RequestRelay relay = relay(http1Client, post(4), true, false);
        RecordingUpstream u = new RecordingUpstream();
        u.writable = false;
        relay.onContent(part("ab"), u, false);
        assertThat(u.text()).isEqualTo("ab");
        assertThat(http1Client.readable).isFalse();
        u.releaseAll();
        body.release();
    }
}
