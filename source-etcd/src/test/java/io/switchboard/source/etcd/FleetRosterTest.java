package io.switchboard.source.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FleetRosterTest {

    private static final String PREFIX = "/switchboard/";
    private static final String MEMBERS = PREFIX + EtcdSettings.MEMBERS;

    private static String member(String node, long revision) {
        return "{\"node\":\"" + node + "\",\"admin\":\"127.0.0.1:9901\",\"version\":\"1.2\",\"pid\":42,\"revision\":"
                + revision + ",\"lastSync\":\"2026-01-01T00:00:00Z\"}";
    }

    @Test
    void followsPutsDeletesAndListsOfMemberKeysOnly() {
        AtomicLong config = new AtomicLong(7);
        FleetRoster roster = new FleetRoster(PREFIX, config::get);
        roster.put(MEMBERS + "a@127.0.0.1:9901", member("a", 7));
        roster.put(MEMBERS + "b@127.0.0.1:9902", member("b", 5));
        roster.put(PREFIX + EtcdSettings.LOAD + "a@127.0.0.1:9901/test/web/tcp/TCP", "{\"10.0.0.1:80\":3}");
        assertThat(roster.members()).extracting(FleetRoster.Member::id, FleetRoster.Member::node,
                FleetRoster.Member::revision, FleetRoster.Member::behind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a@127.0.0.1:9901", "a", 7L, 0L),
                        org.assertj.core.groups.Tuple.tuple("b@127.0.0.1:9902", "b", 5L, 2L));
        assertThat(roster.members().get(0).lastSync()).isEqualTo("2026-01-01T00:00:00Z");

        roster.deleted(MEMBERS + "b@127.0.0.1:9902");
        assertThat(roster.members()).extracting(FleetRoster.Member::node).containsExactly("a");

        config.set(9);
        assertThat(roster.members().get(0).behind()).as("a newer config revision seen here").isEqualTo(2);

        roster.listed(Map.of(MEMBERS + "c@127.0.0.1:9903", member("c", 12),
                PREFIX + EtcdSettings.LOAD + "x", "{}"));
        assertThat(roster.members()).extracting(FleetRoster.Member::node, FleetRoster.Member::behind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("c", 0L));
    }

    @Test
    void aValueThatDoesNotParseIsListedByItsKey() {
        FleetRoster roster = new FleetRoster(PREFIX, () -> 0);
        roster.put(MEMBERS + "odd@127.0.0.1:1", "not json");
        assertThat(roster.members()).extracting(FleetRoster.Member::id).containsExactly("odd@127.0.0.1:1");
        assertThat(roster.members().get(0).node()).isEmpty();
    }
}
