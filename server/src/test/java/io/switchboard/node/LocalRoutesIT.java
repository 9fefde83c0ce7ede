package io.switchboard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.kubernetes.IpLiteral;
import io.switchboard.model.Cidr;
import io.switchboard.server.NetNs;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Local routes are reconciled against the kernel of a network namespace this test makes: what is
 * wanted is added, what an earlier instance left is removed once the state is complete, and routes
 * of any other protocol are never touched, even where they cover an address that is wanted.
 */
class LocalRoutesIT {

    private NetNs ns;

    @BeforeEach
    void setUp() throws Exception {
        String why = NetNs.unavailable();
        assumeTrue(why == null, why);
        ns = new NetNs("10.232.0");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    private static Set<Cidr> cidrs(String... texts) {
        Set<Cidr> out = new LinkedHashSet<>();
        for (String t : texts) {
            out.add(IpLiteral.cidr(t));
        }
        return out;
    }

    private String routes() throws Exception {
        return ns.inside("ip", "route", "show", "table", "local") + ns.inside("ip", "-6", "route", "show", "table", "local");
    }

    @Test
    void wantedRoutesAreAddedStaleOnesRemovedWhenCompleteAndForeignOnesNeverTouched() throws Exception {
        // Another tool's routes, one of them on an address Switchboard will want.
        ns.inside("ip", "route", "add", "local", "10.97.0.0/16", "dev", "lo", "table", "local", "proto", "static");
        ns.inside("ip", "route", "add", "local", "10.98.0.5", "dev", "lo", "table", "local", "proto", "static");
        // What a killed instance left behind.
        ns.inside("ip", "route", "add", "local", "10.99.0.0/16", "dev", "lo", "table", "local", "proto",
                Integer.toString(LocalRoutes.PROTOCOL));
        LocalRoutes routes = new LocalRoutes(List.of(IpLiteral.cidr("10.96.0.0/12")), true,
                List.of("ip", "netns", "exec", ns.name, "ip"));

        Set<Cidr> wanted = cidrs("10.96.0.0/12", "192.0.2.7", "10.98.0.5", "fd00::10");
        routes.apply(wanted, false);
        assertThat(routes.owned()).containsExactlyInAnyOrderElementsOf(cidrs("10.96.0.0/12", "192.0.2.7",
                "fd00::10", "10.99.0.0/16"));
        // Not complete yet (sources still listing): nothing is removed.
        assertThat(routes()).contains("10.99.0.0/16");

        routes.apply(wanted, true);
        assertThat(routes.owned()).containsExactlyInAnyOrderElementsOf(cidrs("10.96.0.0/12", "192.0.2.7", "fd00::10"));
        // The kernel now delivers these addresses locally.
        assertThat(ns.inside("ip", "route", "get", "10.100.1.2")).startsWith("local 10.100.1.2 dev lo");
        assertThat(ns.inside("ip", "route", "get", "192.0.2.7")).startsWith("local 192.0.2.7 dev lo");

        routes.apply(cidrs("10.96.0.0/12"), true);
        assertThat(routes.owned()).containsExactly(IpLiteral.cidr("10.96.0.0/12"));

        routes.removeAll();
        assertThat(routes.owned()).isEmpty();
        String left = routes();
        assertThat(left).contains("10.97.0.0/16").contains("10.98.0.5").contains("proto static");
        assertThat(left).doesNotContain("10.96.0.0/12").doesNotContain("192.0.2.7").doesNotContain("fd00::10");
    }
}
