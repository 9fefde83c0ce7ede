package io.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void hostBitsAreClearedSoOneBlockHasOneForm() throws Exception {
        assertThat(new Cidr(ip("10.96.7.1"), 12)).isEqualTo(new Cidr(ip("10.96.0.0"), 12));
        assertThat(new Cidr(ip("10.96.7.1"), 12).toString()).isEqualTo("10.96.0.0/12");
        assertThat(new Cidr(ip("fd00::1:2"), 108).toString()).isEqualTo("fd00:0:0:0:0:0:0:0/108");
        assertThat(Cidr.host(ip("192.0.2.7")).toString()).isEqualTo("192.0.2.7/32");
    }

    @Test
    void containsOnlyAddressesOfItsFamilyInsideIt() throws Exception {
        Cidr c = new Cidr(ip("10.96.0.0"), 12);
        assertThat(c.contains(ip("10.111.255.255"))).isTrue();
        assertThat(c.contains(ip("10.112.0.0"))).isFalse();
        assertThat(c.contains(ip("::ffff:10.96.0.1"))).as("an IPv4-mapped literal is IPv4 in Java").isTrue();
        assertThat(new Cidr(ip("::"), 0).contains(ip("10.0.0.1"))).isFalse();
        assertThat(new Cidr(ip("0.0.0.0"), 0).contains(ip("203.0.113.9"))).isTrue();
    }

    @Test
    void aPrefixLongerThanTheAddressIsRefused() throws Exception {
        assertThatThrownBy(() -> new Cidr(ip("10.0.0.0"), 33)).hasMessageContaining("0-32");
        assertThatThrownBy(() -> new Cidr(ip("fd00::"), 129)).hasMessageContaining("0-128");
    }
}
