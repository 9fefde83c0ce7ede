package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    private static final long TEN_S = TimeUnit.SECONDS.toNanos(10);

    @Test
    void aShorterGrpcDeadlineWinsOverTheServicesTimeout() {
        assertThat(Deadlines.requestTimeoutNanos(TEN_S, "250m")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(Deadlines.requestTimeoutNanos(TEN_S, "2S")).isEqualTo(TimeUnit.SECONDS.toNanos(2));
        assertThat(Deadlines.requestTimeoutNanos(TEN_S, "1M")).as("longer: the Service's stands").isEqualTo(TEN_S);
        assertThat(Deadlines.requestTimeoutNanos(0, "1H")).as("no Service timeout").isEqualTo(TimeUnit.HOURS.toNanos(1));
        assertThat(Deadlines.requestTimeoutNanos(0, "5u")).isEqualTo(5_000);
        assertThat(Deadlines.requestTimeoutNanos(0, "7n")).isEqualTo(7);
    }

    @Test
    void anInvalidGrpcTimeoutLeavesTheServicesTimeout() {
        for (String bad : new String[] {null, "", "5", "S", "5x", "-5S", "abcS", "1234567890S"}) {
            assertThat(Deadlines.requestTimeoutNanos(TEN_S, bad)).as(String.valueOf(bad)).isEqualTo(TEN_S);
        }
    }

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    /** Moves the lanes' clock and the loop's together, then runs what is due. */
    private void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private static Timeouts.Timeout counting(AtomicInteger count) {
        return Timeouts.of(count::incrementAndGet);
    }

    @Test
    void timersFireOnceOnTheLoopAndCancelledOnesNever() {
        Deadlines d = new Deadlines(new Timeouts(ch.eventLoop(), now::get), ch.eventLoop());
        AtomicInteger request = new AtomicInteger();
        AtomicInteger attempt = new AtomicInteger();
        AtomicInteger body = new AtomicInteger();
        d.startRequest(TimeUnit.MILLISECONDS.toNanos(50), null, counting(request));
        d.startTry(TimeUnit.MILLISECONDS.toNanos(10), counting(attempt));
        d.startTry(TimeUnit.MILLISECONDS.toNanos(30), counting(attempt)); // replaces the first
        Timeouts.Timeout bodyTimeout = counting(body);
        d.awaitBody(TimeUnit.MILLISECONDS.toNanos(20), bodyTimeout);
        d.awaitBody(TimeUnit.MILLISECONDS.toNanos(40), bodyTimeout); // a part arrived: waits anew
        advanceMillis(35);
        assertThat(attempt).hasValue(1);
        assertThat(body).hasValue(0);
        d.bodyDone();
        advanceMillis(20);
        assertThat(body).as("the body completed in time").hasValue(0);
        assertThat(request).hasValue(1);
        d.startRequest(TimeUnit.MILLISECONDS.toNanos(5), null, counting(request));
        d.cancelAll();
        advanceMillis(10);
        assertThat(request).hasValue(1);
        d.startRequest(0, null, counting(request));
        advanceMillis(TimeUnit.HOURS.toMillis(1));
        assertThat(request).as("0 is no deadline").hasValue(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aClientsShorterGrpcDeadlineFiresAtItsOwnTimeAndIsCancelledWithTheRest() {
        Deadlines d = new Deadlines(new Timeouts(ch.eventLoop(), now::get), ch.eventLoop());
        AtomicInteger request = new AtomicInteger();
        d.startRequest(TimeUnit.SECONDS.toNanos(10), "20m", counting(request));
        advanceMillis(15);
        assertThat(request).hasValue(0);
        advanceMillis(10);
        assertThat(request).hasValue(1);
        Deadlines other = new Deadlines(new Timeouts(ch.eventLoop(), now::get), ch.eventLoop());
        other.startRequest(TimeUnit.SECONDS.toNanos(10), "20m", counting(request));
        other.cancelAll();
        advanceMillis(TimeUnit.SECONDS.toMillis(11));
        assertThat(request).hasValue(1);
        ch.finishAndReleaseAll();
    }
}
