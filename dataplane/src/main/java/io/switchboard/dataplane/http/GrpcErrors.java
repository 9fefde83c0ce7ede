package io.switchboard.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringEncoder;

/**
 * The proxy's own error answers to gRPC calls, as gRPC clients read them: HTTP 200 with a
 * trailers-only response carrying {@code grpc-status} and {@code grpc-message}, as Envoy answers.
 * A bare HTTP status would reach the application only as gRPC's generic mapping (every 5xx turns
 * into UNAVAILABLE), so a deadline the proxy enforced from {@code grpc-timeout} would look like an
 * outage. The rule: 504 and 408 are DEADLINE_EXCEEDED (4), 502 and 503 UNAVAILABLE (14), 413 and
 * 431 RESOURCE_EXHAUSTED (8), anything else INTERNAL (13).
 */
final class GrpcErrors {

    private GrpcErrors() {
    }

    /** Whether {@code request} is a gRPC call ({@code content-type: application/grpc...}). */
    static boolean isGrpc(HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, "application/grpc".length());
    }

    /** The gRPC status code for an error the proxy would otherwise answer with {@code status}. */
    static int statusFor(HttpResponseStatus status) {
        return switch (status.code()) {
            case 504, 408 -> 4;
            case 502, 503 -> 14;
            case 413, 431 -> 8;
            default -> 13;
        };
    }

    /** A trailers-only gRPC response for the proxy's error {@code status} explained by {@code message}. */
    static FullHttpResponse trailersOnly(HttpResponseStatus status, String message) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
        r.headers().set("grpc-status", statusFor(status));
        r.headers().set("grpc-message", percentEncoded(message.strip()));
        return r;
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2, "Responses"). */
    private static String percentEncoded(String text) {
        // The encoder writes "?m=..." for a parameter; only the value's encoding is wanted, with
        // spaces as %20 rather than '+', which gRPC does not decode.
        QueryStringEncoder e = new QueryStringEncoder("");
        e.addParam("m", text);
        return e.toString().substring(3).replace("+", "%20");
    }
}
