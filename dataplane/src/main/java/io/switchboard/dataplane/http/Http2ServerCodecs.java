package io.switchboard.dataplane.http;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Builds the frame codec of a client's HTTP/2 connection. Response bytes are shared among streams
 * evenly ({@link UniformStreamByteDistributor}) rather than by the priority tree Netty keeps by
 * default: RFC 9113 deprecated stream priorities, clients rarely send them, and maintaining the
 * weighted tree cost a tenth of the proxy's time per request under h2load.
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
        return new Http2ServerCodecs().initialSettings(settings).build();
    }
}
