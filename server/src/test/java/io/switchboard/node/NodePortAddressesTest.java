package io.switchboard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodePortAddressesTest {

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A node with a loopback, two addresses on eth0, a pod bridge, IPv6 global and link-local. */
    private static final NodePortAddresses.Host NODE = new NodePortAddresses.Host() {
        @Override
        public List<InetAddress> localAddresses() {
            return List.of(ip("127.0.0.1"), ip("10.0.0.7"), ip("10.0.0.8"), ip("10.244.1.1"), ip("2001:db8::7"),
                    ip("fe80::1%1"), ip("::1"));
        }

        @Override
        public Optional<InetAddress> primary(boolean ipv6) {
            return Optional.of(ip(ipv6 ? "2001:db8::7" : "10.0.0.7"));
        }
    };

    private static List<String> resolve(String... entries) {
        return NodePortAddresses.resolve(List.of(entries), NODE).stream().map(InetAddress::getHostAddress).toList();
    }

    @Test
    void aCidrMeansEveryLocalAddressInsideIt() {
        assertThat(resolve("10.0.0.0/24")).containsExactly("10.0.0.7", "10.0.0.8");
        assertThat(resolve("10.0.0.0/24", " 10.244.0.0/16")).containsExactly("10.0.0.7", "10.0.0.8", "10.244.1.1");
        assertThat(resolve("2001:db8::/32", "fe80::/10")).containsExactly("2001:db8:0:0:0:0:0:7");
        assertThat(resolve("192.168.0.0/16")).isEmpty();
    }

    @Test
    void primaryIsTheNodesPrimaryAddressOfEachFamily() {
        assertThat(resolve("primary")).containsExactly("10.0.0.7", "2001:db8:0:0:0:0:0:7");
        assertThat(resolve("primary", "10.0.0.0/24")).containsExactly("10.0.0.7", "2001:db8:0:0:0:0:0:7", "10.0.0.8");
    }

    @Test
    void aZeroPrefixIsTheWildcardOfItsFamilyAndCoversSpecificAddresses() {
        assertThat(resolve("0.0.0.0/0")).containsExactly("0.0.0.0");
        assertThat(resolve("10.0.0.0/24", "0.0.0.0/0", "2001:db8::/32")).containsExactly("0.0.0.0", "2001:db8:0:0:0:0:0:7");
    }

    @Test
    void plainAddressesAreTakenAsThemselves() {
        assertThat(resolve("127.0.0.1")).containsExactly("127.0.0.1");
        assertThat(resolve("0.0.0.0")).containsExactly("0.0.0.0");
    }

    @Test
    void aBadEntryOrAPrimaryWithoutRouteIsAnErrorNamingIt() {
        assertThatThrownBy(() -> resolve("10.0.0.0/40")).hasMessageContaining("\"10.0.0.0/40\" is not a CIDR");
        assertThatThrownBy(() -> resolve("eth0")).hasMessageContaining("eth0");
        NodePortAddresses.Host isolated = new NodePortAddresses.Host() {
            @Override
            public List<InetAddress> localAddresses() {
                return List.of(ip("127.0.0.1"));
            }

            @Override
            public Optional<InetAddress> primary(boolean ipv6) {
                return Optional.empty();
            }
        };
        assertThatThrownBy(() -> NodePortAddresses.resolve(List.of("primary"), isolated))
                .hasMessageContaining("no default route");
    }

    @Test
    void thisMachinesLoopbackIsFoundByItsCidr() {
        assertThat(NodePortAddresses.resolve(List.of("127.0.0.0/8"), NodePortAddresses.SYSTEM))
                .contains(ip("127.0.0.1"));
    }
}
