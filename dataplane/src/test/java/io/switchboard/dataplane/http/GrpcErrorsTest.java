package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {

    private static HttpRequest withType(String type) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/pkg.Svc/Call");
        if (type != null) {
            r.headers().set("content-type", type);
        }
        return r;
    }

    @Test
    void callsAreRecognisedByTheirContentTypeWithAnySuffix() {
        assertThat(GrpcErrors.isGrpc(withType("application/grpc"))).isTrue();
        assertThat(GrpcErrors.isGrpc(withType("application/grpc+proto"))).isTrue();
        assertThat(GrpcErrors.isGrpc(withType("Application/GRPC"))).isTrue();
        assertThat(GrpcErrors.isGrpc(withType("application/json"))).isFalse();
        assertThat(GrpcErrors.isGrpc(withType(null))).isFalse();
    }

    @Test
    void timeoutsAreDeadlineExceededAndUnreachableEndpointsUnavailable() {
        assertThat(GrpcErrors.statusFor(HttpResponseStatus.GATEWAY_TIMEOUT)).isEqualTo(4);
        assertThat(GrpcErrors.statusFor(HttpResponseStatus.REQUEST_TIMEOUT)).isEqualTo(4);
        assertThat(GrpcErrors.statusFor(HttpResponseStatus.BAD_GATEWAY)).isEqualTo(14);
        assertThat(GrpcErrors.statusFor(HttpResponseStatus.SERVICE_UNAVAILABLE)).isEqualTo(14);
        assertThat(GrpcErrors.statusFor(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)).isEqualTo(8);
        assertThat(GrpcErrors.statusFor(HttpResponseStatus.BAD_REQUEST)).isEqualTo(13);
    }

    @Test
    void theAnswerIsTrailersOnlyWithStatus200AndAPercentEncodedMessage() {
        FullHttpResponse r = GrpcErrors.trailersOnly(HttpResponseStatus.SERVICE_UNAVAILABLE, "no endpoint 100%\n");
        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.content().readableBytes()).isZero();
        assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(r.headers().get("grpc-status")).isEqualTo("14");
        assertThat(r.headers().get("grpc-message")).isEqualTo("no%20endpoint%20100%25");
    }
}
