package io.switchboard.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedFrequencyRunnerTest {

    @Test
    void runsOnRequestAndRetriesAfterAFailure() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        Semaphore ran = new Semaphore(0);
        Runnable task = () -> {
            int n = calls.incrementAndGet();
            ran.release();
            if (n == 1) {
                throw new IllegalStateException("first run fails");
            }
        };
        try (BoundedFrequencyRunner runner = new BoundedFrequencyRunner("test-sync", task, Duration.ofMillis(1),
                Duration.ofMinutes(10), Duration.ofMillis(20))) {
            runner.start();
            runner.request();
            assertThat(ran.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
            assertThat(ran.tryAcquire(5, TimeUnit.SECONDS)).as("retried without a new request").isTrue();
        }
        assertThat(calls.get()).isGreaterThanOrEqualTo(2);
    }
}
