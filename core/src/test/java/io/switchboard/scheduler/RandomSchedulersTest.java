package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.from;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** random, p2c and twos with seeded or scripted random sources. */
class RandomSchedulersTest {

    /** Returns the scripted values from nextInt, in order. */
    private static final class Script implements RandomGenerator {
        private final Deque<Integer> values = new ArrayDeque<>();

        Script(int... v) {
            for (int i : v) {
                values.add(i);
            }
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int nextInt(int bound) {
            int v = values.removeFirst();
            assertThat(v).isLessThan(bound);
            return v;
        }
    }

    private static SchedulerConfig config(RandomGenerator random) {
        return new SchedulerConfig(Set.of(), random, System::nanoTime, 251, Duration.ofHours(1));
    }

    @Test
    void randomDrawsInProportionToWeight() {
        TestDestination a = TestDestination.of("A", 1);
        TestDestination b = TestDestination.of("B", 3);
        TestDestination c = TestDestination.of("C", 0);
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.RANDOM, List.of(a, b, c),
                config(new SplittableRandom(42)));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            counts.merge(s.pick(from("10.0.0.9")).name, 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey("C");
        assertThat(counts.get("B")).isBetween(29_400, 30_600);
    }

    @Test
    void randomFollowsTheDrawAcrossWeights() {
        TestDestination a = TestDestination.of("A", 1);
        TestDestination b = TestDestination.of("B", 3);
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.RANDOM, List.of(a, b), config(new Script(0, 1, 3)));
        assertThat(Picks.sequence(s, 3)).isEqualTo("A B B");
    }

    @Test
    void p2cPicksTheLessBusyOfTwoDistinctDraws() {
        TestDestination a = TestDestination.of("A", 1).active(5);
        TestDestination b = TestDestination.of("B", 1).active(1);
        TestDestination c = TestDestination.of("C", 1).active(3);
        // draws: first rank 0 (A), second from the remaining two: 1 -> rank 2 (C)
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.P2C, List.of(a, b, c),
                config(new Script(0, 1, 2, 0, 1, 1)));
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(c);
        // draws: rank 2 (C), then 0 -> rank 0 (A): C has fewer
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(c);
        // draws: rank 1 (B), then 1 -> rank 2 (C): B has fewer
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(b);
    }

    @Test
    void p2cWithOneCandidateTakesIt() {
        TestDestination a = TestDestination.of("A", 1).down();
        TestDestination b = TestDestination.of("B", 1);
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.P2C, List.of(a, b), config(new Script(0)));
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(b);
    }

    @Test
    void twosComparesWeightedOverheadOfTwoWeightedDraws() {
        TestDestination a = TestDestination.of("A", 1).active(1);
        TestDestination b = TestDestination.of("B", 3).active(2);
        // total weight 4, draws in [0, 4]: 1 -> A, 4 -> B; B's 512/3 beats A's 256/1
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.TWOS, List.of(a, b), config(new Script(1, 4, 0, 1)));
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(b);
        // draws 0 and 1 both land on A
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(a);
    }

    @Test
    void twosSpreadsBySeededDraws() {
        TestDestination a = TestDestination.of("A", 1);
        TestDestination b = TestDestination.of("B", 1);
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.TWOS, List.of(a, b),
                config(new SplittableRandom(7)));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            TestDestination d = s.pick(from("10.0.0.1"));
            d.active++;
            counts.merge(d.name, 1, Integer::sum);
        }
        assertThat(counts.get("A")).as("choosing the less loaded keeps them level").isBetween(495, 505);
    }
}
