package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointConditions;
import io.switchboard.model.NodeInfo;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.testing.Models;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The endpoint categories rule on its own (TopologyIT drives kube-proxy's whole table through real
 * connections): which hints apply, the terminating fallback, and Local ignoring hints.
 */
class EndpointCategoriesTest {

    private static final NodeInfo NODE = new NodeInfo("node-1", "zone-a", true);
    private static final EndpointConditions READY = EndpointConditions.READY;
    private static final EndpointConditions NOT_READY = new EndpointConditions(false, false, false);
    private static final EndpointConditions TERMINATING = new EndpointConditions(false, true, true);

    private static Endpoint ep(String ip, EndpointConditions c, String node, Set<String> zones, Set<String> nodes) {
        return new Endpoint(List.of(Models.ip(ip)), c, node, null, null, zones, nodes);
    }

    private static List<String> chosen(List<Endpoint> eps, TrafficPolicy policy) {
        return EndpointCategories.choose(eps, Function.identity(), policy, NODE).usable().stream()
                .map(e -> e.address().getHostAddress()).toList();
    }

    @Test
    void zoneHintsApplyOnlyWhenEveryReadyEndpointHasThemAndOneMatches() {
        List<Endpoint> all = List.of(ep("10.0.0.1", READY, "n2", Set.of("zone-a"), null),
                ep("10.0.0.2", READY, "n2", Set.of("zone-b"), null), ep("10.0.0.3", NOT_READY, "n2", null, null));
        assertThat(chosen(all, TrafficPolicy.CLUSTER)).containsExactly("10.0.0.1");
        assertThat(EndpointCategories.choose(all, Function.identity(), TrafficPolicy.CLUSTER, NODE).topology())
                .isEqualTo(EndpointCategories.Topology.SAME_ZONE);
        List<Endpoint> partial = List.of(ep("10.0.0.1", READY, "n2", Set.of("zone-a"), null),
                ep("10.0.0.2", READY, "n2", null, null));
        assertThat(chosen(partial, TrafficPolicy.CLUSTER)).containsExactly("10.0.0.1", "10.0.0.2");
        List<Endpoint> elsewhere = List.of(ep("10.0.0.1", READY, "n2", Set.of("zone-c"), null));
        assertThat(chosen(elsewhere, TrafficPolicy.CLUSTER)).containsExactly("10.0.0.1");
    }

    @Test
    void nodeHintsComeFirstAndFallBackToZoneHints() {
        List<Endpoint> hinted = List.of(ep("10.0.0.1", READY, "n2", Set.of("zone-a"), Set.of("node-1")),
                ep("10.0.0.2", READY, "n2", Set.of("zone-a"), Set.of("node-2")),
                ep("10.0.0.3", READY, "n2", Set.of("zone-b"), Set.of("node-3")));
        assertThat(chosen(hinted, TrafficPolicy.CLUSTER)).containsExactly("10.0.0.1");
        List<Endpoint> notThisNode = List.of(ep("10.0.0.1", READY, "n2", Set.of("zone-a"), Set.of("node-9")),
                ep("10.0.0.2", READY, "n2", Set.of("zone-a"), Set.of("node-2")),
                ep("10.0.0.3", READY, "n2", Set.of("zone-b"), Set.of("node-3")));
        assertThat(chosen(notThisNode, TrafficPolicy.CLUSTER)).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void terminatingEndpointsServeOnlyWhenNoneIsReadyAndIgnoreHints() {
        List<Endpoint> eps = List.of(ep("10.0.0.1", TERMINATING, "n2", Set.of("zone-b"), null),
                ep("10.0.0.2", NOT_READY, "n2", null, null), ep("10.0.0.3", TERMINATING, "node-1", null, null));
        var choice = EndpointCategories.choose(eps, Function.identity(), TrafficPolicy.CLUSTER, NODE);
        assertThat(choice.usable()).extracting(e -> e.address().getHostAddress()).containsExactly("10.0.0.1", "10.0.0.3");
        assertThat(choice.terminating()).isTrue();
    }

    @Test
    void localUsesThisNodesEndpointsWithoutHintsAndItsOwnTerminatingFallback() {
        List<Endpoint> eps = List.of(ep("10.0.0.1", READY, "node-1", Set.of("zone-b"), null),
                ep("10.0.0.2", READY, "n2", Set.of("zone-a"), null), ep("10.0.0.3", TERMINATING, "node-1", null, null));
        assertThat(chosen(eps, TrafficPolicy.LOCAL)).containsExactly("10.0.0.1");
        List<Endpoint> onlyTerminating = List.of(ep("10.0.0.2", READY, "n2", null, null),
                ep("10.0.0.3", TERMINATING, "node-1", null, null));
        assertThat(chosen(onlyTerminating, TrafficPolicy.LOCAL)).containsExactly("10.0.0.3");
        assertThat(chosen(List.of(ep("10.0.0.2", READY, "n2", null, null)), TrafficPolicy.LOCAL)).isEmpty();
    }
}
