package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.from;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaglevSchedulerTest {

    @Test
    void populationMatchesTheMaglevPaperExample() {
        // Table 1 of the Maglev paper: M = 7, B0 (offset 3, skip 4), B1 (0, 2), B2 (3, 1).
        int[] owners = MaglevScheduler.populate(7, new int[] {3, 0, 3}, new int[] {4, 2, 1}, new int[] {1, 1, 1});
        assertThat(owners).containsExactly(1, 0, 1, 0, 2, 2, 0);
        // Without B1 (worked by hand): B0 claims 3, B2 finds 3 taken and claims 4, then B0 0, B2 5,
        // B0 1 (4 taken), B2 6, B0 2 (5 taken). B0 keeps both entries it had (1 and 3 of the paper's table).
        int[] without = MaglevScheduler.populate(7, new int[] {3, 3}, new int[] {4, 1}, new int[] {1, 1});
        assertThat(without).containsExactly(0, 0, 0, 0, 1, 1, 1);
    }

    @Test
    void weightsGiveProportionalTurns() {
        int[] owners = MaglevScheduler.populate(7, new int[] {0, 1}, new int[] {1, 1}, new int[] {2, 1});
        int zero = 0;
        for (int o : owners) {
            if (o == 0) {
                zero++;
            }
        }
        assertThat(zero).isEqualTo(5);
    }

    @Test
    void tableSizeMustBePrime() {
        assertThatThrownBy(() -> new MaglevScheduler<>(List.of(TestDestination.of("A", 1)), 8, false, false))
                .hasMessageContaining("prime");
    }

    @Test
    void everyEntryIsFilledAndSharesFollowWeights() {
        List<TestDestination> ds = List.of(TestDestination.of("A", 1), TestDestination.of("B", 1),
                TestDestination.of("C", 2));
        MaglevScheduler<TestDestination> s = new MaglevScheduler<>(ds, 4093, false, false);
        Map<Object, Integer> share = new HashMap<>();
        for (Object o : s.table()) {
            assertThat(o).isNotNull();
            share.merge(o, 1, Integer::sum);
        }
        assertThat(share.get(ds.get(2))).isBetween(1900, 2200);
        assertThat(share.get(ds.get(0))).isBetween(900, 1150);
    }

    @Test
    void removingOneOfFiveMovesOnlyItsShare() {
        List<TestDestination> ds = new ArrayList<>();
        for (char c = 'A'; c <= 'E'; c++) {
            ds.add(TestDestination.of(String.valueOf(c), 1));
        }
        Object[] before = new MaglevScheduler<>(ds, 4093, false, false).table();
        TestDestination removed = ds.remove(2);
        Object[] after = new MaglevScheduler<>(ds, 4093, false, false).table();
        int moved = 0;
        for (int i = 0; i < before.length; i++) {
            if (before[i] != removed && before[i] != after[i]) {
                moved++;
            }
        }
        assertThat(moved).as("entries not owned by the removed destination that moved").isLessThan(4093 / 20);
    }

    @Test
    void zeroWeightLeavesTheTableAndUnavailableRefusesUnlessFallback() {
        TestDestination a = TestDestination.of("A", 1);
        TestDestination b = TestDestination.of("B", 0);
        MaglevScheduler<TestDestination> s = new MaglevScheduler<>(List.of(a, b), 251, false, false);
        assertThat(s.table()).containsOnly(a);
        TestDestination c = TestDestination.of("C", 1);
        Scheduler<TestDestination> strict = new MaglevScheduler<>(List.of(a, c), 251, false, false);
        Scheduler<TestDestination> lenient = Schedulers.create(Algorithm.MH, List.of(a, c),
                SchedulerConfig.DEFAULT.withFlags(Set.of(SchedulerFlag.MH_FALLBACK)));
        String client = null;
        for (int i = 1; i < 255 && client == null; i++) {
            if (strict.pick(from("10.4.0." + i)) == a) {
                client = "10.4.0." + i;
            }
        }
        assertThat(client).isNotNull();
        assertThat(lenient.pick(from(client))).isSameAs(a);
        a.down();
        assertThat(strict.pick(from(client))).isNull();
        assertThat(lenient.pick(from(client))).isSameAs(c);
    }

    @Test
    void portFlagHashesTheClientPort() {
        List<TestDestination> ds = List.of(TestDestination.of("A", 1), TestDestination.of("B", 1));
        Scheduler<TestDestination> byAddress = new MaglevScheduler<>(ds, 251, false, false);
        Scheduler<TestDestination> byPort = new MaglevScheduler<>(ds, 251, false, true);
        java.util.Set<Object> addressOnly = new java.util.HashSet<>();
        java.util.Set<Object> withPort = new java.util.HashSet<>();
        for (int port = 1000; port < 1064; port++) {
            addressOnly.add(byAddress.pick(from("10.5.5.5", port)));
            withPort.add(byPort.pick(from("10.5.5.5", port)));
        }
        assertThat(addressOnly).hasSize(1);
        assertThat(withPort).hasSize(2);
    }
}
