package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.sequence;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinSchedulerTest {

    private Scheduler<TestDestination> wrr(TestDestination... ds) {
        return Schedulers.create(Algorithm.WRR, List.of(ds), SchedulerConfig.DEFAULT);
    }

    @Test
    void producesTheClassicLvsSequence() {
        Scheduler<TestDestination> s = wrr(TestDestination.of("A", 4), TestDestination.of("B", 3),
                TestDestination.of("C", 2));
        assertThat(sequence(s, 18)).isEqualTo("A A B A B C A B C A A B A B C A B C");
    }

    @Test
    void stepsByTheGcdOfWeights() {
        Scheduler<TestDestination> s = wrr(TestDestination.of("A", 4), TestDestination.of("B", 2));
        assertThat(sequence(s, 6)).isEqualTo("A A B A A B");
    }

    @Test
    void unavailableDestinationsLoseTheirTurnsOnly() {
        TestDestination a = TestDestination.of("A", 4).down();
        Scheduler<TestDestination> s = wrr(a, TestDestination.of("B", 3), TestDestination.of("C", 2));
        assertThat(sequence(s, 10)).isEqualTo("B B C B C B B C B C");
    }

    @Test
    void zeroWeightDrainsAndAllZeroGivesNothing() {
        assertThat(sequence(wrr(TestDestination.of("A", 0), TestDestination.of("B", 1)), 3)).isEqualTo("B B B");
        assertThat(sequence(wrr(TestDestination.of("A", 0)), 2)).isEqualTo("- -");
        TestDestination only = TestDestination.of("A", 3).down();
        assertThat(sequence(wrr(only), 1)).isEqualTo("-");
    }
}
