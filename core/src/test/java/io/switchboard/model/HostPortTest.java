package io.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void ipv4IsWrittenAsItIs() throws Exception {
        assertThat(HostPort.of("10.0.0.1", 8080)).isEqualTo("10.0.0.1:8080");
        assertThat(HostPort.of(InetAddress.getByName("192.0.2.7"), 53)).isEqualTo("192.0.2.7:53");
        assertThat(HostPort.of(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 0))).isEqualTo("192.0.2.7:0");
    }

    @Test
    void ipv6IsBracketedSoThePortStandsApart() throws Exception {
        assertThat(HostPort.of("fd00::1", 80)).isEqualTo("[fd00::1]:80");
        assertThat(HostPort.of(InetAddress.getByName("fd00::1"), 80)).isEqualTo("[fd00:0:0:0:0:0:0:1]:80");
        assertThat(HostPort.of(new InetSocketAddress(InetAddress.getByName("::1"), 9901)))
                .isEqualTo("[0:0:0:0:0:0:0:1]:9901");
    }

    @Test
    void anAlreadyBracketedLiteralIsNotBracketedTwice() {
        assertThat(HostPort.of("[fd00::1]", 443)).isEqualTo("[fd00::1]:443");
        assertThat(HostPort.host("[::1]")).isEqualTo("[::1]");
    }

    @Test
    void aHostNameIsKeptAndNeverResolved() {
        assertThat(HostPort.of("backend.default.svc", 8080)).isEqualTo("backend.default.svc:8080");
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 1234);
        assertThat(HostPort.of(unresolved)).isEqualTo("no-such-host.invalid:1234");
    }

    @Test
    void aResolvedNameIsWrittenAsItsAddressNotItsName() throws Exception {
        InetAddress named = InetAddress.getByAddress("web", new byte[] {10, 1, 2, 3});
        assertThat(HostPort.of(new InetSocketAddress(named, 80))).isEqualTo("10.1.2.3:80");
    }
}
