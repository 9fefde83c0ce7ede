package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutsTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final Timeouts timeouts = new Timeouts(ch.eventLoop(), now::get);
    private final List<String> fired = new ArrayList<>();

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private void advanceMillis(long ms) {
        now.addAndGet(ms * MS);
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private Timeouts.Timeout named(String name) {
        return Timeouts.of(() -> fired.add(name));
    }

    @Test
    void timeoutsOfOneDurationPassInTheOrderTheyWereSetEachAtItsOwnTime() {
        Timeouts.Timeout a = named("a");
        Timeouts.Timeout b = named("b");
        Timeouts.Timeout c = named("c");
        timeouts.set(a, 10 * MS);
        advanceMillis(3);
        timeouts.set(b, 10 * MS);
        advanceMillis(3);
        timeouts.set(c, 10 * MS);
        assertThat(timeouts.lanes()).isEqualTo(1);
        advanceMillis(5);
        assertThat(fired).containsExactly("a");
        assertThat(a.isSet()).isFalse();
        assertThat(b.isSet()).isTrue();
        advanceMillis(3);
        assertThat(fired).containsExactly("a", "b");
        advanceMillis(3);
        assertThat(fired).containsExactly("a", "b", "c");
    }

    @Test
    void aCancelledTimeoutNeverPassesWhereverItIsInItsLane() {
        Timeouts.Timeout first = named("first");
        Timeouts.Timeout middle = named("middle");
        Timeouts.Timeout last = named("last");
        timeouts.set(first, 10 * MS);
        timeouts.set(middle, 10 * MS);
        timeouts.set(last, 10 * MS);
        timeouts.cancel(first);
        timeouts.cancel(last);
        timeouts.cancel(last);
        advanceMillis(11);
        assertThat(fired).containsExactly("middle");
        timeouts.set(first, 10 * MS);
        timeouts.cancel(first);
        advanceMillis(20);
        assertThat(fired).containsExactly("middle");
    }

    @Test
    void settingATimeoutAgainMovesItToTheEndAndAnotherDurationIsAnotherLane() {
        Timeouts.Timeout a = named("a");
        Timeouts.Timeout b = named("b");
        Timeouts.Timeout slow = named("slow");
        timeouts.set(a, 10 * MS);
        timeouts.set(b, 10 * MS);
        timeouts.set(slow, 25 * MS);
        assertThat(timeouts.lanes()).isEqualTo(2);
        advanceMillis(8);
        timeouts.set(a, 10 * MS);
        advanceMillis(4);
        assertThat(fired).containsExactly("b");
        advanceMillis(7);
        assertThat(fired).containsExactly("b", "a");
        advanceMillis(7);
        assertThat(fired).containsExactly("b", "a", "slow");
        timeouts.set(a, 0);
        assertThat(a.isSet()).as("0 only cancels").isFalse();
    }

    @Test
    void aTimeoutSetAgainByItsOwnActionPassesAgainAndEmptyLanesGo() {
        AtomicLong runs = new AtomicLong();
        Timeouts.Timeout[] self = new Timeouts.Timeout[1];
        self[0] = Timeouts.of(() -> {
            if (runs.incrementAndGet() < 3) {
                timeouts.set(self[0], 10 * MS);
            }
        });
        timeouts.set(self[0], 10 * MS);
        for (int i = 0; i < 5; i++) {
            advanceMillis(10);
        }
        assertThat(runs).hasValue(3);
        assertThat(timeouts.lanes()).as("nothing waits: the lane went").isZero();
        for (long d = 1; d <= 40; d++) {
            Timeouts.Timeout t = named("d" + d);
            timeouts.set(t, d * MS);
        }
        assertThat(timeouts.lanes()).isEqualTo(40);
        advanceMillis(41);
        assertThat(fired).hasSize(40);
        assertThat(timeouts.lanes()).isZero();
    }

    @Test
    void aTimeoutSetAgainByItsActionDoesNotDelayTheOnesWaitingBehindIt() {
        Timeouts.Timeout[] retry = new Timeouts.Timeout[1];
        retry[0] = Timeouts.of(() -> {
            fired.add("retry");
            if (fired.size() == 1) {
                // A try timed out and the next try starts at once on a pooled connection: same lane.
                timeouts.set(retry[0], 10 * MS);
            }
        });
        timeouts.set(retry[0], 10 * MS);
        advanceMillis(5);
        timeouts.set(named("waiting"), 10 * MS);
        advanceMillis(5);
        assertThat(fired).containsExactly("retry");
        advanceMillis(6);
        assertThat(fired).as("due at 15 ms, not at the re-set one's 20 ms").containsExactly("retry", "waiting");
        advanceMillis(5);
        assertThat(fired).containsExactly("retry", "waiting", "retry");
    }

    @Test
    void anActionThatThrowsDoesNotStopTheOthersOfItsLane() {
        timeouts.set(Timeouts.of(() -> {
            fired.add("throws");
            throw new IllegalStateException("an action's bug");
        }), 10 * MS);
        timeouts.set(named("same time"), 10 * MS);
        advanceMillis(2);
        timeouts.set(named("later"), 10 * MS);
        advanceMillis(9);
        assertThat(fired).containsExactly("throws", "same time");
        advanceMillis(2);
        assertThat(fired).containsExactly("throws", "same time", "later");
    }
}
