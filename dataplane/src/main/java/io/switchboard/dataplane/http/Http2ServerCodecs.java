package io.switchboard.dataplane.http;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Builds the frame codec of a client's HTTP/2 connection. Response bytes are shared among streams
 * evenly ({@link UniformStreamByteDistributor}) rather than by the priority tree Netty keeps by
 * default: RFC 9113 deprecated stream priorities, clients rarely send them, and maintaining the
 * weighted tree cost a tenth of the proxy's time per request under h2load. A close is not held back
 * for streams still open: the proxy's own drain ({@link Http2Closing}) is the grace period. The codec
 * is an {@link Http2ServerFrameCodec}, which ignores what a client still sends on streams the proxy
 * reset.
 */
final class Http2ServerCodecs extends Http2FrameCodecBuilder {

    private Http2ServerCodecs() {
        DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection,
                new UniformStreamByteDistributor(connection)));
        connection(connection);
    }

    /** A server codec with {@code settings} announced to the client. */
    static Http2FrameCodec build(Http2Settings settings) {
        // Closing means closing: when the proxy closes a client connection (a drain that timed out,
        // a stop, a client that ended its side) its own GOAWAY and grace period have been and gone.
        // Netty's default would hold the channel open for up to 30 s more waiting for streams, past
        // the stop of the event loops, with the response bytes of those streams never released.
        return new Http2ServerCodecs().initialSettings(settings).gracefulShutdownTimeoutMillis(0).build();
    }

    /**
     * Called by {@link #build()} with Netty's decoder and encoder, each already wrapped in its guards
     * (the limits of resets received and sent, of queued control frames, of empty DATA frames), so
     * that the codec made here keeps all of them.
     */
    @Override
    protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                    Http2Settings initialSettings) {
        Http2ServerFrameCodec codec = new Http2ServerFrameCodec(encoder, decoder, initialSettings,
                decoupleCloseAndGoAway(), flushPreface());
        codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
        return codec;
    }
}
