package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.ServicePort;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class HttpProtocolTest {

    @Test
    void everyRequestBalancedAppProtocolHasAnHttpProtocolAndNoOtherDoes() {
        for (String p : ServicePort.REQUEST_PROTOCOLS) {
            assertThat(HttpProtocol.of(p)).as(p).isNotNull();
            assertThat(HttpProtocol.of(p.toUpperCase(Locale.ROOT))).as("case-insensitive " + p).isNotNull();
        }
        assertThat(Arrays.stream(HttpProtocol.values()).filter(h -> ServicePort.REQUEST_PROTOCOLS.stream()
                .noneMatch(p -> HttpProtocol.of(p) == h))).as("protocols the model does not know").isEmpty();
        assertThat(HttpProtocol.of("")).isNull();
        assertThat(HttpProtocol.of("https")).as("TLS is relayed at L4").isNull();
        assertThat(HttpProtocol.of("kubernetes.io/wss")).isNull();
    }
}
