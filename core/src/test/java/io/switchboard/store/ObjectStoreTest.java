package io.switchboard.store;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.ready;
import static io.switchboard.testing.Models.slice;
import static io.switchboard.testing.Models.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.NodeInfo;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The object store's rules, as an API source (one slot per object, origins with resourceVersions) meets them. */
class ObjectStoreTest {

    private static final Definition.Slot API = new Definition.Slot("kubernetes", "", 0);
    private final ObjectStore store = new ObjectStore();

    private static ObjectRef svcRef(String name) {
        return new ObjectRef("Service", "shop", name);
    }

    private static Definition service(String name, String ip, String version) {
        return service(name, version, null, clusterIp("shop/" + name, ip, tcp("http", 80, 8080)));
    }

    private static Definition service(String name, String version, String created, Service s) {
        ObjectRef ref = svcRef(name);
        return new Definition(ref, API, new Mapped.OfService(ref, s, created == null ? null : Instant.parse(created)),
                List.of(), Origin.kubernetes(ref, version), Definition.FieldLines.NONE);
    }

    private static Definition aged(String name, String ip, String created) {
        return service(name, "1", created, clusterIp("shop/" + name, ip, tcp("http", 80, 8080)));
    }

    private static java.util.Set<ServiceId> served(Checkout c) {
        return c.snapshot().services().keySet();
    }

    private static Definition broken(String name, String version) {
        ObjectRef ref = svcRef(name);
        Origin origin = Origin.kubernetes(ref, version);
        return new Definition(ref, API, null, List.of(new ValidationError(origin, ref, "spec.ports[0].port",
                "must be between 1 and 65535, got 0")), origin, Definition.FieldLines.NONE);
    }

    @Test
    void recordingOnlyRecordsAndTheCheckoutDecides() {
        store.put(service("web", "10.0.0.1", "1"));
        assertThat(store.pendingChanges()).isEqualTo(1);
        Checkout c = store.checkout();
        assertThat(store.pendingChanges()).isZero();
        assertThat(c.snapshot().services()).containsKey(ServiceId.parse("shop/web"));
        assertThat(c.touched()).containsExactly(ServiceId.parse("shop/web"));
        assertThat(store.checkout()).as("nothing recorded since: the same checkout").isSameAs(c);
    }

    @Test
    void theSameVersionRecordedAgainIsNoChange() {
        Definition d = service("web", "10.0.0.1", "7");
        store.put(d);
        Checkout c = store.checkout();
        store.put(service("web", "10.0.0.1", "7"));
        assertThat(store.pendingChanges()).isZero();
        assertThat(store.checkout()).isSameAs(c);
    }

    @Test
    void aBrokenVersionKeepsTheLastGoodOneAndNamesItsApiOrigin() {
        store.put(service("web", "10.0.0.1", "1"));
        Service good = store.checkout().snapshot().services().get(ServiceId.parse("shop/web"));
        store.put(broken("web", "2"));
        Checkout c = store.checkout();
        assertThat(c.snapshot().services().get(ServiceId.parse("shop/web"))).isSameAs(good);
        assertThat(c.errors()).singleElement().hasToString("kubernetes API Service shop/web (resourceVersion 2): "
                + "spec.ports[0].port: must be between 1 and 65535, got 0");
        store.remove(svcRef("web"));
        c = store.checkout();
        assertThat(c.snapshot().services()).isEmpty();
        assertThat(c.errors()).isEmpty();
    }

    @Test
    void anAddressAlreadyServedStaysWithItsHolder() {
        store.put(service("a", "10.0.0.1", "1"));
        store.checkout();
        store.put(service("b", "10.0.0.1", "2"));
        Checkout c = store.checkout();
        assertThat(c.snapshot().services()).containsOnlyKeys(ServiceId.parse("shop/a"));
        assertThat(c.errors()).singleElement().satisfies(e -> assertThat(e.toString())
                .contains("Service shop/b (resourceVersion 2)").contains("already served by Service shop/a"));
        store.remove(svcRef("a"));
        c = store.checkout();
        assertThat(c.snapshot().services()).as("retried once the holder left").containsOnlyKeys(ServiceId.parse("shop/b"));
    }

    @Test
    void aNodePortClaimsItsPortOnEveryNodePortAddress() {
        ObjectStore withNodePorts = new ObjectStore(List.of(io.switchboard.testing.Models.ip("127.0.0.1")));
        ObjectRef np = svcRef("np");
        Service nodePort = io.switchboard.testing.Models.withType(clusterIp("shop/np", "10.0.0.5",
                new io.switchboard.model.ServicePort("http", io.switchboard.model.Protocol.TCP, 80,
                        io.switchboard.model.TargetPort.of(8080), 30080, "")), io.switchboard.model.ServiceType.NODE_PORT);
        withNodePorts.put(new Definition(np, API, new Mapped.OfService(np, nodePort), List.of(),
                Origin.kubernetes(np, "1"), Definition.FieldLines.NONE));
        withNodePorts.checkout();
        ObjectRef other = svcRef("other");
        Service onLoopback = clusterIp("shop/other", "127.0.0.1", tcp("http", 30080, 8080));
        withNodePorts.put(new Definition(other, API, new Mapped.OfService(other, onLoopback), List.of(),
                Origin.kubernetes(other, "2"), Definition.FieldLines.NONE));
        Checkout c = withNodePorts.checkout();
        assertThat(c.snapshot().services()).containsOnlyKeys(ServiceId.parse("shop/np"));
        assertThat(c.errors()).singleElement().satisfies(e -> assertThat(e.toString())
                .contains("127.0.0.1:30080/TCP is already served by Service shop/np"));
    }

    @Test
    void slicesJoinTheirServiceAndANodeChangeIsAChange() {
        ObjectRef ref = new ObjectRef("EndpointSlice", "shop", "web-1");
        var s = slice("shop/web", "http", 8080, ready("10.1.0.1"));
        store.put(new Definition(ref, API, new Mapped.OfSlices(ref, List.of(s)), List.of(), Origin.kubernetes(ref, "3"),
                Definition.FieldLines.NONE));
        Checkout c = store.checkout();
        assertThat(c.snapshot().slices().get(ServiceId.parse("shop/web"))).containsExactly(s);
        assertThat(c.node()).isNull();
        store.node(new NodeInfo("node-1", "zone-a", true));
        Checkout after = store.checkout();
        assertThat(after).isNotSameAs(c);
        assertThat(after.node().zone()).isEqualTo("zone-a");
    }

    @Test
    void theOlderServiceTakesAnAddressFromOneInEffectAsItWouldAfterARestart() {
        store.put(aged("young", "10.0.0.1", "2026-03-01T00:00:00Z"));
        assertThat(served(store.checkout())).containsExactly(ServiceId.parse("shop/young"));
        store.put(aged("old", "10.0.0.1", "2026-01-01T00:00:00Z"));
        Checkout running = store.checkout();
        assertThat(served(running)).containsExactly(ServiceId.parse("shop/old"));
        assertThat(running.touched()).contains(ServiceId.parse("shop/young"), ServiceId.parse("shop/old"));
        assertThat(running.errors()).singleElement().hasToString("kubernetes API Service shop/young (resourceVersion 1): "
                + "spec.ports[0].port: 10.0.0.1:80/TCP is already served by Service shop/old (created first, "
                + "2026-01-01T00:00:00Z)");
        assertThat(running.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("10.0.0.1:80/TCP");
            assertThat(c.holder()).isEqualTo(svcRef("old"));
            assertThat(c.refused()).isEqualTo(svcRef("young"));
            assertThat(c.field()).isEqualTo("spec.ports[0].port");
            assertThat(c.rule()).isEqualTo(AddressConflict.OLDER);
        });

        ObjectStore restarted = new ObjectStore();
        restarted.put(aged("old", "10.0.0.1", "2026-01-01T00:00:00Z"));
        restarted.put(aged("young", "10.0.0.1", "2026-03-01T00:00:00Z"));
        Checkout after = restarted.checkout();
        assertThat(served(after)).isEqualTo(served(running));
        assertThat(after.conflicts()).isEqualTo(running.conflicts());
    }

    @Test
    void withoutCreationTimesNamespaceAndNameDecideWhateverTheArrivalOrder() {
        store.put(service("b", "10.0.0.1", "1"));
        store.checkout();
        store.put(service("a", "10.0.0.1", "2"));
        Checkout c = store.checkout();
        assertThat(served(c)).containsExactly(ServiceId.parse("shop/a"));
        assertThat(c.conflicts()).singleElement().satisfies(x -> {
            assertThat(x.refused()).isEqualTo(svcRef("b"));
            assertThat(x.rule()).isEqualTo(AddressConflict.NAME_ORDER);
        });
        store.put(aged("c", "10.0.0.1", "2020-01-01T00:00:00Z"));
        assertThat(served(store.checkout())).as("one with a creation time is older than any without")
                .containsExactly(ServiceId.parse("shop/c"));
    }

    @Test
    void aHolderLeavingPassesItsAddressesAlongAChainOfClaims() {
        // a holds 10.0.0.1; b wants 10.0.0.1 and 10.0.0.2; c wants 10.0.0.2. With a, b loses and c serves;
        // without a, b is next in age and c loses: the whole chain is decided again.
        store.put(service("a", "1", "2026-01-01T00:00:00Z", clusterIp("shop/a", "10.0.0.1", tcp("http", 80, 8080))));
        store.put(service("b", "1", "2026-01-02T00:00:00Z",
                io.switchboard.testing.Models.withExternalIps(clusterIp("shop/b", "10.0.0.1", tcp("http", 80, 8080)),
                        "10.0.0.2")));
        store.put(service("c", "1", "2026-01-03T00:00:00Z", clusterIp("shop/c", "10.0.0.2", tcp("http", 80, 8080))));
        Checkout before = store.checkout();
        assertThat(served(before)).containsExactlyInAnyOrder(ServiceId.parse("shop/a"), ServiceId.parse("shop/c"));
        store.remove(svcRef("a"));
        Checkout after = store.checkout();
        assertThat(served(after)).containsExactly(ServiceId.parse("shop/b"));
        assertThat(after.conflicts()).singleElement().satisfies(x -> {
            assertThat(x.holder()).isEqualTo(svcRef("b"));
            assertThat(x.refused()).isEqualTo(svcRef("c"));
            assertThat(x.address()).isEqualTo("10.0.0.2:80/TCP");
            assertThat(x.field()).isEqualTo("spec.ports[0].port");
        });
    }

    @Test
    void aNewVersionRefusedAnAddressKeepsTheVersionInEffectAndReportsTheConflict() {
        store.put(aged("a", "10.0.0.1", "2026-01-01T00:00:00Z"));
        store.put(aged("b", "10.0.0.2", "2026-01-02T00:00:00Z"));
        Service running = store.checkout().snapshot().services().get(ServiceId.parse("shop/b"));
        store.put(service("b", "2", "2026-01-02T00:00:00Z", clusterIp("shop/b", "10.0.0.1", tcp("http", 80, 8080))));
        Checkout c = store.checkout();
        assertThat(c.snapshot().services().get(ServiceId.parse("shop/b"))).isSameAs(running);
        assertThat(c.conflicts()).singleElement().satisfies(x -> assertThat(x.origin().version()).isEqualTo("2"));
        store.put(service("b", "3", "2026-01-02T00:00:00Z", clusterIp("shop/b", "10.0.0.3", tcp("http", 80, 8080))));
        assertThat(store.checkout().conflicts()).as("resolved").isEmpty();
    }
}
