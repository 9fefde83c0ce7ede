package io.switchboard.store;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.tcp;
import static io.switchboard.testing.Models.withExternalIps;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.Service;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressBookTest {

    private final AddressBook book = new AddressBook(List.of());

    private static ObjectRef ref(String name) {
        return new ObjectRef("Service", "shop", name);
    }

    private static Definition service(String name, Service s) {
        ObjectRef ref = ref(name);
        return new Definition(ref, new Definition.Slot("kubernetes", "", 0), new Mapped.OfService(ref, s), List.of(),
                Origin.kubernetes(ref, "1"), Definition.FieldLines.NONE);
    }

    private static Service on(String name, String ip, String... externalIps) {
        return withExternalIps(clusterIp("shop/" + name, ip, tcp("http", 80, 8080)), externalIps);
    }

    private Map<String, String> claims(Definition d) {
        return book.claimsOf(((Mapped.OfService) d.mapped()).service());
    }

    @Test
    void servicesThatShareAnAddressAreFoundThroughOthers() {
        book.want(ref("a"), service("a", on("a", "10.0.0.1")), null);
        book.want(ref("b"), service("b", on("b", "10.0.0.1", "10.0.0.2")), null);
        book.want(ref("c"), null, service("c", on("c", "10.0.0.2")));
        book.want(ref("d"), service("d", on("d", "10.0.0.9")), null);
        assertThat(book.sharingAddressesWith(Set.of(ref("a")))).containsExactlyInAnyOrder(ref("a"), ref("b"),
                ref("c"));
        book.want(ref("b"), null, null);
        assertThat(book.sharingAddressesWith(Set.of(ref("a")))).as("b wants nothing any more")
                .containsExactly(ref("a"));
    }

    @Test
    void anAddressHeldByOneIsTakenForAnotherUntilReleased() {
        Definition a = service("a", on("a", "10.0.0.1"));
        Definition b = service("b", on("b", "10.0.0.2", "10.0.0.1"));
        book.claimAll(ref("a"), claims(a));
        assertThat(book.firstTaken(ref("a"), claims(a))).as("its own").isNull();
        Map.Entry<String, String> taken = book.firstTaken(ref("b"), claims(b));
        assertThat(taken).isEqualTo(Map.entry("10.0.0.1:80/TCP", "spec.externalIPs"));
        assertThat(book.holder(taken.getKey())).isEqualTo(ref("a"));
        book.release(ref("a"));
        assertThat(book.firstTaken(ref("b"), claims(b))).isNull();
        assertThat(book.holder("10.0.0.1:80/TCP")).isNull();
    }

    @Test
    void theFirstRefusalOfADecisionStandsUntilTheServiceIsDecidedAgain() {
        Origin origin = Origin.kubernetes(ref("b"), "2");
        AddressConflict first = new AddressConflict("10.0.0.1:80/TCP", ref("a"), ref("b"), "spec.ports[0].port", origin,
                AddressConflict.OLDER);
        book.refused(first);
        book.refused(new AddressConflict("10.0.0.2:80/TCP", ref("c"), ref("b"), "spec.externalIPs", origin,
                AddressConflict.NAME_ORDER));
        assertThat(book.conflicts()).containsExactly(first);
        book.clearRefusal(ref("b"));
        assertThat(book.conflicts()).isEmpty();
    }
}
