package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.to;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** lblc and lblcr with a stepped clock. */
class LocalitySchedulersTest {

    private final AtomicLong now = new AtomicLong();
    private final SchedulerConfig config = new SchedulerConfig(Set.of(), new SplittableRandom(1), now::get, 251,
            Duration.ofSeconds(60));
    private final TestDestination a = TestDestination.of("A", 4);
    private final TestDestination b = TestDestination.of("B", 4);

    @Test
    void lblcSticksToItsChoiceUntilOverloaded() {
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.LBLC, List.of(a, b), config);
        assertThat(s.pick(to("127.0.0.10"))).isSameAs(a);
        a.active(4);
        assertThat(s.pick(to("127.0.0.10"))).as("busier but not over its weight").isSameAs(a);
        assertThat(s.pick(to("127.0.0.11"))).as("a new address goes to the least loaded").isSameAs(b);
        a.active(5);
        assertThat(s.pick(to("127.0.0.10"))).as("over weight while B is under half").isSameAs(b);
        assertThat(s.pick(to("127.0.0.10"))).as("the mapping moved").isSameAs(b);
    }

    @Test
    void lblcForgetsAMappingAfterExpiration() {
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.LBLC, List.of(a, b), config);
        assertThat(s.pick(to("127.0.0.10"))).isSameAs(a);
        a.active(1);
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(s.pick(to("127.0.0.10"))).isSameAs(a);
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThat(s.pick(to("127.0.0.10"))).as("expired, wlc picks B").isSameAs(b);
    }

    @Test
    void lblcReschedulesWhenItsDestinationIsDown() {
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.LBLC, List.of(a, b), config);
        assertThat(s.pick(to("127.0.0.10"))).isSameAs(a);
        a.down();
        assertThat(s.pick(to("127.0.0.10"))).isSameAs(b);
    }

    @Test
    void lblcrGrowsItsSetUnderLoadAndShrinksItLater() {
        Scheduler<TestDestination> s = Schedulers.create(Algorithm.LBLCR, List.of(a, b), config);
        assertThat(s.pick(to("127.0.0.10"))).isSameAs(a);
        a.active(5);
        assertThat(s.pick(to("127.0.0.10"))).as("A overloaded, B joins the set").isSameAs(b);
        a.active(0);
        b.active(1);
        assertThat(s.pick(to("127.0.0.10"))).as("least loaded member of {A, B}").isSameAs(a);
        a.active(2);
        assertThat(s.pick(to("127.0.0.10"))).as("B is now the least loaded member").isSameAs(b);
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        a.active(3);
        b.active(0);
        // The set is older than the expiration: its most loaded member (A) is dropped.
        assertThat(s.pick(to("127.0.0.10"))).isSameAs(b);
        b.active(2);
        assertThat(s.pick(to("127.0.0.10"))).as("A is no longer a member").isSameAs(b);
    }
}
