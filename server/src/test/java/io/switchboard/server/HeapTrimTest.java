package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeapTrimTest {

    @Test
    void trimsOnceAtTheFirstReadySyncWhenExplicitCollectionsAreConcurrent() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        HeapTrim trim = new HeapTrim(() -> true, () -> {
            runs.incrementAndGet();
            ran.countDown();
        });
        trim.afterSync(false);
        assertThat(ran.await(200, TimeUnit.MILLISECONDS)).isFalse();
        trim.afterSync(true);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        trim.afterSync(true);
        Thread.sleep(100);
        assertThat(runs).hasValue(1);
    }

    @Test
    void doesNothingWhenSystemGcWouldStopTheWorld() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        HeapTrim trim = new HeapTrim(() -> false, runs::incrementAndGet);
        trim.afterSync(true);
        Thread.sleep(100);
        assertThat(runs).hasValue(0);
    }

    @Test
    void readsTheFlagOfThisJvm() {
        // Surefire's JVM runs without the launcher's flags: System.gc() is a full collection here.
        assertThat(HeapTrim.explicitGcIsConcurrent()).isFalse();
    }
}
