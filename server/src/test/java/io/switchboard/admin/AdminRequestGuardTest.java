package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AdminRequestGuardTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void onLoopbackOnlyLoopbackHostsAreServed() throws Exception {
        InetAddress lo = ip("127.0.0.1");
        assertThat(AdminRequestGuard.refusal(lo, "GET", "127.0.0.1:9901", null, false)).isNull();
        assertThat(AdminRequestGuard.refusal(lo, "GET", "localhost:9901", null, false)).isNull();
        assertThat(AdminRequestGuard.refusal(lo, "GET", "[::1]:9901", null, false)).isNull();
        assertThat(AdminRequestGuard.refusal(lo, "GET", null, null, false)).as("HTTP/1.0 without Host").isNull();
        assertThat(AdminRequestGuard.refusal(lo, "GET", "evil.example", null, false)).contains("evil.example");
        assertThat(AdminRequestGuard.refusal(lo, "GET", "10.0.0.1:9901", null, false)).isNotNull();
        // Elsewhere the operator chose who can reach it; any Host is fine.
        assertThat(AdminRequestGuard.refusal(ip("10.0.0.1"), "GET", "evil.example", null, false)).isNull();
    }

    @Test
    void aStateChangeNeedsTheActionHeaderAndTheSameOrigin() throws Exception {
        InetAddress lo = ip("127.0.0.1");
        assertThat(AdminRequestGuard.refusal(lo, "POST", "127.0.0.1:9901", null, false))
                .contains(AdminRequestGuard.ACTION_HEADER);
        assertThat(AdminRequestGuard.refusal(lo, "POST", "127.0.0.1:9901", null, true)).isNull();
        assertThat(AdminRequestGuard.refusal(lo, "POST", "127.0.0.1:9901", "http://127.0.0.1:9901", true)).isNull();
        assertThat(AdminRequestGuard.refusal(lo, "POST", "127.0.0.1:9901", "http://evil.example", true))
                .contains("Origin");
        assertThat(AdminRequestGuard.refusal(lo, "POST", "127.0.0.1:9901", "null", true)).contains("null");
        assertThat(AdminRequestGuard.refusal(lo, "DELETE", "127.0.0.1:9901", null, false)).isNotNull();
    }
}
