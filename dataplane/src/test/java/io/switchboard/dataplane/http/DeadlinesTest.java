package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void timersFireOnceOnTheLoopAndCancelledOnesNever() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Deadlines d = new Deadlines(ch.eventLoop());
        AtomicInteger request = new AtomicInteger();
        AtomicInteger attempt = new AtomicInteger();
        AtomicInteger body = new AtomicInteger();
        d.startRequest(TimeUnit.MILLISECONDS.toNanos(50), request::incrementAndGet);
        d.startTry(TimeUnit.MILLISECONDS.toNanos(10), attempt::incrementAndGet);
        d.startTry(TimeUnit.MILLISECONDS.toNanos(30), attempt::incrementAndGet); // replaces the first
        d.awaitBody(TimeUnit.MILLISECONDS.toNanos(20), body::incrementAndGet);
        d.awaitBody(TimeUnit.MILLISECONDS.toNanos(40), body::incrementAndGet); // a part arrived: waits anew
        ch.advanceTimeBy(35, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(attempt).hasValue(1);
        assertThat(body).hasValue(0);
        d.bodyDone();
        ch.advanceTimeBy(20, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(body).as("the body completed in time").hasValue(0);
        assertThat(request).hasValue(1);
        d.startRequest(TimeUnit.MILLISECONDS.toNanos(5), request::incrementAndGet);
        d.cancelAll();
        ch.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(request).hasValue(1);
        d.startRequest(0, request::incrementAndGet);
        ch.advanceTimeBy(1, TimeUnit.HOURS);
        ch.runScheduledPendingTasks();
        assertThat(request).as("0 is no deadline").hasValue(1);
        ch.finishAndReleaseAll();
    }
}
