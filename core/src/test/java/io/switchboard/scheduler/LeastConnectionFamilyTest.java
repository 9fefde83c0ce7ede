package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.from;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** lc, wlc, sed, nq, fo and ovf: the schedulers that compare connection counts or weights. */
class LeastConnectionFamilyTest {

    private static TestDestination pick(Algorithm algorithm, TestDestination... ds) {
        return Schedulers.create(algorithm, List.of(ds), SchedulerConfig.DEFAULT).pick(from("10.1.1.1"));
    }

    @Test
    void lcCountsActiveConnectionsAs256InactiveOnes() {
        TestDestination a = TestDestination.of("A", 1).active(1);
        TestDestination b = TestDestination.of("B", 1).inactive(255);
        TestDestination c = TestDestination.of("C", 1).inactive(256);
        assertThat(pick(Algorithm.LC, a, b, c)).isSameAs(b);
        b.inactive(256);
        assertThat(pick(Algorithm.LC, a, b, c)).as("first wins a tie").isSameAs(a);
    }

    @Test
    void lcIgnoresWeightButNotZeroWeightOrHealth() {
        TestDestination a = TestDestination.of("A", 100).active(2);
        TestDestination b = TestDestination.of("B", 1).active(1);
        assertThat(pick(Algorithm.LC, a, b)).isSameAs(b);
        b.weight = 0;
        assertThat(pick(Algorithm.LC, a, b)).isSameAs(a);
        a.down();
        assertThat(pick(Algorithm.LC, a, b)).isNull();
    }

    @Test
    void wlcDividesOverheadByWeight() {
        TestDestination a = TestDestination.of("A", 1).active(1);
        TestDestination b = TestDestination.of("B", 3).active(2);
        assertThat(pick(Algorithm.WLC, a, b)).as("512/3 < 256/1").isSameAs(b);
        b.active(3);
        assertThat(pick(Algorithm.WLC, a, b)).as("768/3 == 256/1, first wins").isSameAs(a);
        TestDestination zero = TestDestination.of("Z", 0);
        assertThat(pick(Algorithm.WLC, zero, a)).isSameAs(a);
    }

    @Test
    void sedUsesActiveConnectionsPlusOne() {
        TestDestination a = TestDestination.of("A", 1).inactive(1000);
        TestDestination b = TestDestination.of("B", 3).active(1);
        assertThat(pick(Algorithm.SED, a, b)).as("(1+1)/3 < (0+1)/1").isSameAs(b);
        b.active(2);
        assertThat(pick(Algorithm.SED, a, b)).as("(2+1)/3 == (0+1)/1, first wins").isSameAs(a);
    }

    @Test
    void nqSendsToAnIdleDestinationEvenIfSedWouldNot() {
        TestDestination a = TestDestination.of("A", 10).active(1);
        TestDestination b = TestDestination.of("B", 1);
        assertThat(pick(Algorithm.SED, a, b)).as("sed: 2/10 < 1/1").isSameAs(a);
        assertThat(pick(Algorithm.NQ, a, b)).as("nq: B is idle").isSameAs(b);
        b.active(1);
        assertThat(pick(Algorithm.NQ, a, b)).isSameAs(a);
    }

    @Test
    void foSendsEverythingToTheHighestWeightAvailable() {
        TestDestination a = TestDestination.of("A", 1);
        TestDestination b = TestDestination.of("B", 5).active(1000);
        TestDestination c = TestDestination.of("C", 5);
        assertThat(pick(Algorithm.FO, a, b, c)).isSameAs(b);
        b.down();
        assertThat(pick(Algorithm.FO, a, b, c)).isSameAs(c);
        c.weight = 0;
        assertThat(pick(Algorithm.FO, a, b, c)).isSameAs(a);
    }

    @Test
    void ovfOverflowsOnceActiveExceedsWeight() {
        TestDestination a = TestDestination.of("A", 2).active(2);
        TestDestination b = TestDestination.of("B", 1).active(1);
        assertThat(pick(Algorithm.OVF, a, b)).as("2 active does not exceed weight 2").isSameAs(a);
        a.active(3);
        assertThat(pick(Algorithm.OVF, a, b)).isSameAs(b);
        b.active(2);
        assertThat(pick(Algorithm.OVF, a, b)).isNull();
    }
}
