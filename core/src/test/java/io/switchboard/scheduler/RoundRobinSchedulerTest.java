package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.from;
import static io.switchboard.scheduler.Picks.sequence;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinSchedulerTest {

    private final TestDestination a = TestDestination.of("A", 1);
    private final TestDestination b = TestDestination.of("B", 5);
    private final TestDestination c = TestDestination.of("C", 1);

    private Scheduler<TestDestination> rr(TestDestination... ds) {
        return Schedulers.create(Algorithm.RR, List.of(ds), SchedulerConfig.DEFAULT);
    }

    @Test
    void cyclesThroughDestinationsIgnoringNonZeroWeights() {
        assertThat(sequence(rr(a, b, c), 7)).isEqualTo("A B C A B C A");
    }

    @Test
    void skipsUnavailableAndZeroWeightDestinationsAndResumesAfterLastChoice() {
        Scheduler<TestDestination> s = rr(a, b, c);
        b.down();
        assertThat(sequence(s, 4)).isEqualTo("A C A C");
        b.available = true;
        c.weight = 0;
        assertThat(sequence(s, 3)).isEqualTo("A B A");
    }

    @Test
    void returnsNullWhenNothingIsUsable() {
        a.down();
        assertThat(rr(a).pick(from("10.1.1.1"))).isNull();
        assertThat(rr().pick(from("10.1.1.1"))).isNull();
    }

    @Test
    void excludedDestinationsAreSkipped() {
        Scheduler<TestDestination> s = rr(a, b, c);
        assertThat(s.pick(from("10.1.1.1").excluding(List.of(a)))).isSameAs(b);
        assertThat(s.pick(from("10.1.1.1").excluding(List.of(c, a)))).isSameAs(b);
    }

    @Test
    void concurrentPicksStillShareTurnsExactly() throws InterruptedException {
        Scheduler<TestDestination> s = rr(a, b, c);
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        Runnable worker = () -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 30_000; i++) {
                counts.computeIfAbsent(s.pick(from("10.1.1.1")).name, k -> new AtomicInteger()).incrementAndGet();
            }
        };
        Thread t1 = new Thread(worker);
        Thread t2 = new Thread(worker);
        t1.start();
        t2.start();
        start.countDown();
        t1.join();
        t2.join();
        assertThat(counts).allSatisfy((name, n) -> assertThat(n.get()).isEqualTo(20_000));
    }
}
