package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client connection's frame codec, as built for the proxy, driven with a client's raw frames in
 * an embedded channel: what a client sends on a stream the proxy reset is discarded without an
 * answer and without starving the connection window; anything else that Netty answers as an error
 * still is.
 */
class Http2ServerFrameCodecTest {

    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int GOAWAY = 0x7;
    private static final int WINDOW_UPDATE = 0x8;
    /** The connection window every HTTP/2 connection starts with (RFC 9113 section 6.9.2). */
    private static final int CONNECTION_WINDOW = 65_535;

    /** A frame the server wrote. */
    private record Frame(int type, int flags, int stream, byte[] payload) {
        /** The error code of a RST_STREAM or GOAWAY, the increment of a WINDOW_UPDATE; -1 for others. */
        long code() {
            if (type != RST_STREAM && type != GOAWAY && type != WINDOW_UPDATE) {
                return -1;
            }
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        @Override
        public String toString() {
            return "type " + type + " stream " + stream + " code " + code();
        }
    }

    private final EmbeddedChannel ch = new EmbeddedChannel(
            Http2ServerCodecs.build(Http2Settings.defaultSettings().initialWindowSize(1 << 20)), new EarlyAnswers());
    private final ByteArrayOutputStream unread = new ByteArrayOutputStream();

    /**
     * Answers each request at once with a bodyless 200; a request whose body is still to come is
     * then reset (NO_ERROR), as the proxy does with an upload answered early (RFC 9113 section 8.1).
     */
    private static final class EarlyAnswers extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame h && h.headers().method() != null) {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), true).stream(h.stream()));
                if (!h.isEndStream()) {
                    ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR).stream(h.stream()));
                }
                ctx.flush();
            }
            ReferenceCountUtil.release(msg);
        }
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    @Test
    void whatAClientStillSendsOnAStreamTheProxyResetIsDiscardedUnansweredAndItsBytesReturnToTheConnectionWindow() {
        connect();
        send(headers(1, "POST", false));
        assertThat(written()).extracting(Frame::type, Frame::stream, Frame::code).contains(
                tuple(RST_STREAM, 1, (long) Http2Error.NO_ERROR.code()));
        // A stream window of body the client had sent by the time it read the reset, then its trailers.
        int sent = 0;
        for (int i = 0; i < 64; i++) {
            send(data(1, 16_384, false));
            sent += 16_384;
        }
        send(trailers(1));
        List<Frame> after = written();
        assertThat(after).as("nothing answers the discarded frames").noneMatch(f -> f.type() == RST_STREAM)
                .noneMatch(f -> f.type() == GOAWAY);
        long returned = after.stream().filter(f -> f.type() == WINDOW_UPDATE && f.stream() == 0)
                .mapToLong(Frame::code).sum();
        assertThat(CONNECTION_WINDOW - sent + returned).as("the client's connection window after 1 MiB discarded")
                .isGreaterThanOrEqualTo(CONNECTION_WINDOW / 2);
        send(headers(3, "GET", true));
        assertThat(written()).as("the connection goes on").extracting(Frame::type, Frame::stream)
                .containsExactly(tuple(HEADERS, 3));
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void manyUploadsAnsweredEarlyOnOneConnectionDoNotEndIt() {
        connect();
        // Each has a stream window of DATA in flight when its reset arrives: 64 frames that Netty
        // alone answers with 64 counted resets, past its limit of 200 by the fourth upload.
        for (int i = 0; i < 8; i++) {
            int stream = 1 + 2 * i;
            send(headers(stream, "POST", false));
            for (int f = 0; f < 64; f++) {
                send(data(stream, 16_384, false));
            }
        }
        List<Frame> frames = written();
        assertThat(frames).filteredOn(f -> f.type() == RST_STREAM).as("one reset per upload, ours")
                .hasSize(8).allMatch(f -> f.code() == Http2Error.NO_ERROR.code());
        assertThat(frames).noneMatch(f -> f.type() == GOAWAY);
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void dataOnAStreamThatEndedWithoutAResetIsStillAStreamClosedError() {
        connect();
        send(headers(1, "GET", true));
        written();
        send(data(1, 10, false));
        assertThat(written()).extracting(Frame::type, Frame::stream, Frame::code).containsExactly(
                tuple(RST_STREAM, 1, (long) Http2Error.STREAM_CLOSED.code()));
    }

    @Test
    void aClientThatGoesOnSendingOnAResetStreamPastWhatItsWindowAllowedIsAnsweredAgain() {
        connect();
        send(headers(1, "POST", false));
        written();
        for (int i = 0; i < RecentResets.FRAMES_PER_STREAM; i++) {
            send(data(1, 1, false));
        }
        assertThat(written()).noneMatch(f -> f.type() == RST_STREAM);
        send(data(1, 1, false));
        assertThat(written()).extracting(Frame::type, Frame::stream, Frame::code).containsExactly(
                tuple(RST_STREAM, 1, (long) Http2Error.STREAM_CLOSED.code()));
    }

    /** The client's preface and SETTINGS; the server's SETTINGS are read and dropped. */
    private void connect() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(frame(0x4, 0, 0, new byte[0]));
        send(b.toByteArray());
        written();
    }

    private void send(byte[] bytes) {
        if (!ch.isOpen()) {
            throw new AssertionError("the server closed the connection; its last frames: " + written());
        }
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        ch.checkException();
    }

    /** The frames the server wrote since the last call. */
    private List<Frame> written() {
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            unread.writeBytes(bytes);
        }
        byte[] all = unread.toByteArray();
        List<Frame> frames = new ArrayList<>();
        int at = 0;
        while (all.length - at >= 9) {
            int length = ((all[at] & 0xff) << 16) | ((all[at + 1] & 0xff) << 8) | (all[at + 2] & 0xff);
            if (all.length - at - 9 < length) {
                break;
            }
            int stream = ((all[at + 5] & 0x7f) << 24) | ((all[at + 6] & 0xff) << 16) | ((all[at + 7] & 0xff) << 8)
                    | (all[at + 8] & 0xff);
            byte[] payload = Arrays.copyOfRange(all, at + 9, at + 9 + length);
            frames.add(new Frame(all[at + 3] & 0xff, all[at + 4] & 0xff, stream, payload));
            at += 9 + length;
        }
        unread.reset();
        unread.write(all, at, all.length - at);
        return frames;
    }

    private static byte[] headers(int stream, String method, boolean endStream) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(method.equals("POST") ? 0x83 : 0x82); // :method, from the static table
        b.write(0x86); // :scheme http
        b.write(0x84); // :path /
        b.write(0x01); // :authority, a literal never indexed, so every test's encoder state is the same
        b.write(4);
        b.writeBytes("test".getBytes(StandardCharsets.US_ASCII));
        return frame(HEADERS, 0x4 | (endStream ? 0x1 : 0), stream, b.toByteArray());
    }

    private static byte[] trailers(int stream) {
        byte[] field = {0x00, 3, 'x', '-', 't', 1, '1'}; // x-t: 1, a literal with a new name, not indexed
        return frame(HEADERS, 0x4 | 0x1, stream, field);
    }

    private static byte[] data(int stream, int bytes, boolean endStream) {
        return frame(DATA, endStream ? 0x1 : 0, stream, new byte[bytes]);
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(payload.length >>> 16);
        b.write(payload.length >>> 8);
        b.write(payload.length);
        b.write(type);
        b.write(flags);
        b.write(stream >>> 24);
        b.write(stream >>> 16);
        b.write(stream >>> 8);
        b.write(stream);
        b.writeBytes(payload);
        return b.toByteArray();
    }
}
