package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceRangesTest {

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private static Cidr cidr(String a, int prefix) throws Exception {
        return new Cidr(ip(a), prefix);
    }

    @Test
    void admitsOnlyClientsInsideARangeOfTheAddressFamily() throws Exception {
        SourceRanges r = SourceRanges.of(ip("198.51.100.7"),
                List.of(cidr("192.0.2.0", 25), cidr("203.0.113.9", 32), cidr("2001:db8::", 32)), List.of());
        assertThat(r.admits(ip("192.0.2.0"), ip("198.51.100.7"))).isTrue();
        assertThat(r.admits(ip("192.0.2.127"), ip("198.51.100.7"))).isTrue();
        assertThat(r.admits(ip("192.0.2.128"), ip("198.51.100.7"))).isFalse();
        assertThat(r.admits(ip("203.0.113.9"), ip("198.51.100.7"))).isTrue();
        assertThat(r.admits(ip("203.0.113.8"), ip("198.51.100.7"))).isFalse();
        assertThat(r.admits(ip("10.0.0.1"), ip("198.51.100.7"))).isFalse();
        assertThat(r).hasToString("192.0.2.0/25,203.0.113.9/32");
    }

    @Test
    void withNoRangeOfItsFamilyAnAddressAdmitsEveryone() throws Exception {
        assertThat(SourceRanges.of(ip("2001:db8::1"), List.of(cidr("192.0.2.0", 24)), List.of()).open()).isTrue();
        assertThat(SourceRanges.of(ip("192.0.2.1"), List.of(), List.of())).isSameAs(SourceRanges.ANY);
        SourceRanges v6 = SourceRanges.of(ip("2001:db8::1"), List.of(cidr("2001:db8:1::", 48)), List.of());
        assertThat(v6.admits(ip("2001:db8:1:ffff::5"), ip("2001:db8::1"))).isTrue();
        assertThat(v6.admits(ip("2001:db8:2::5"), ip("2001:db8::1"))).isFalse();
    }

    @Test
    void theNodeReachesItsOwnLoadBalancerIpOnlyWhenARangeHoldsANodeAddress() throws Exception {
        InetAddress lb = ip("198.51.100.7");
        SourceRanges withNode = SourceRanges.of(lb, List.of(cidr("10.1.0.0", 16)), List.of(ip("10.1.2.3")));
        SourceRanges without = SourceRanges.of(lb, List.of(cidr("10.1.0.0", 16)), List.of(ip("10.2.2.3")));
        // From this node the kernel picks the local load-balancer IP itself as the source.
        assertThat(withNode.admits(lb, lb)).isTrue();
        assertThat(without.admits(lb, lb)).isFalse();
        assertThat(withNode.admits(ip("198.51.100.8"), lb)).isFalse();
    }
}
