package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestBodyTest {

    private static HttpContent part(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    private static LastHttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyHeldBeforeAnEndpointIsSentWholeAndCanBeSentAgain() {
        RequestBody body = new RequestBody();
        HttpContent a = part("ab");
        LastHttpContent b = last("cd");
        body.hold(a);
        body.hold(b);
        assertThat(body.complete()).isTrue();
        RecordingUpstream first = new RecordingUpstream();
        body.sendTo(first);
        RecordingUpstream retry = new RecordingUpstream();
        body.sendTo(retry);
        assertThat(first.text()).isEqualTo("abcd|");
        assertThat(retry.text()).isEqualTo("abcd|");
        first.releaseAll();
        retry.releaseAll();
        body.release();
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
    }

    @Test
    void aBodyWithoutContentIsEndedByAnEmptyLastPart() {
        RequestBody body = new RequestBody();
        body.markComplete();
        assertThat(body.isRedundantLast(LastHttpContent.EMPTY_LAST_CONTENT)).isTrue();
        RecordingUpstream r = new RecordingUpstream();
        body.sendTo(r);
        assertThat(r.written).containsExactly(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    @Test
    void beyondTheReplayLimitTheBodyStreamsOnceAndIsNoLongerReplayable() {
        RequestBody body = new RequestBody();
        ByteBuf big = Unpooled.buffer(RequestBody.REPLAY_LIMIT).writeZero(RequestBody.REPLAY_LIMIT);
        HttpContent c = new DefaultHttpContent(big);
        body.passing(c, false);
        assertThat(body.replayable()).as("an unfinished body as long as the limit cannot be replayed").isFalse();
        body.release();
        c.release();
        assertThat(c.refCnt()).isZero();
        RequestBody small = new RequestBody();
        HttpContent s = part("x");
        small.passing(s, false);
        assertThat(small.replayable()).isTrue();
        assertThat(s.refCnt()).as("a duplicate kept for a replay").isEqualTo(2);
        small.passing(part("y"), true);
        assertThat(small.replayable()).as("a response began").isFalse();
        assertThat(s.refCnt()).as("the copy is freed").isEqualTo(1);
        s.release();
    }

    @Test
    void holdingPastThePendingLimitAsksToStopReadingTheClient() {
        RequestBody body = new RequestBody();
        HttpContent c = new DefaultHttpContent(Unpooled.buffer().writeZero(RequestBody.PENDING_LIMIT));
        assertThat(body.hold(c)).isFalse();
        HttpContent more = part("z");
        assertThat(body.hold(more)).isTrue();
        body.release();
        assertThat(c.refCnt()).isZero();
        assertThat(more.refCnt()).isZero();
    }
}
