package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            h.add(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    @Test
    void endToEndFieldsAloneAreLeftUntouched() {
        HttpHeaders h = headers("Content-Type", "text/plain", "Content-Length", "2", "X-Id", "7");
        HeaderRules.stripHopByHop(h, false, false);
        assertThat(h.names()).containsExactlyInAnyOrder("Content-Type", "Content-Length", "X-Id");
    }

    @Test
    void hopByHopFieldsAndThoseNamedByConnectionAreStrippedButHostStays() {
        HttpHeaders h = headers("Connection", "keep-alive, X-Secret, Host", "Keep-Alive", "timeout=5",
                "X-Secret", "s", "Host", "svc", "Transfer-Encoding", "chunked", "Proxy-Connection", "x",
                "TE", "gzip", "Trailer", "X-T", "Upgrade", "h2c", "X-Other", "o");
        HeaderRules.stripHopByHop(h, false, false);
        assertThat(h.names()).containsExactlyInAnyOrder("Host", "X-Other");
    }

    @Test
    void aSingleKeepAliveOrCloseOptionStripsConnectionAndWhatItNames() {
        HttpHeaders h = headers("Connection", "Keep-Alive", "Keep-Alive", "timeout=5", "X-A", "1");
        HeaderRules.stripHopByHop(h, false, false);
        assertThat(h.names()).containsExactly("X-A");
        HttpHeaders c = headers("Connection", "close", "close", "odd", "X-A", "1");
        HeaderRules.stripHopByHop(c, false, false);
        assertThat(c.names()).containsExactly("X-A");
    }

    @Test
    void nettysHttp2ConversionFieldsAreStripped() {
        HttpHeaders h = headers("x-http2-stream-id", "3", "X-HTTP2-Scheme", "http", "x-id", "1");
        HeaderRules.stripHopByHop(h, false, false);
        assertThat(h.names()).containsExactly("x-id");
    }

    @Test
    void teTrailersStaysForGrpcAndOtherTeValuesGo() {
        HttpHeaders h = headers("te", "trailers", "connection", "te");
        HeaderRules.stripHopByHop(h, false, true);
        assertThat(h.get("te")).isEqualTo("trailers");
        assertThat(h.contains("connection")).isFalse();
        HttpHeaders g = headers("te", "gzip");
        HeaderRules.stripHopByHop(g, false, true);
        assertThat(g.contains("te")).isFalse();
    }

    @Test
    void anUpgradeHandshakeKeepsUpgradeAndConnectionUpgradeOnly() {
        HttpHeaders h = headers("Connection", "Upgrade, keep-alive", "Upgrade", "websocket", "Keep-Alive", "1",
                "Sec-WebSocket-Key", "k");
        HeaderRules.stripHopByHop(h, true, false);
        assertThat(h.get("upgrade")).isEqualTo("websocket");
        assertThat(h.get("connection")).isEqualTo("upgrade");
        assertThat(h.contains("keep-alive")).isFalse();
        assertThat(h.get("sec-websocket-key")).isEqualTo("k");
    }
}
