package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LazyAddersTest {

    @Test
    void countersStartAtZeroAndCountApart() {
        LazyAdders c = new LazyAdders(3);
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.sum(0)).isZero();
        c.increment(0);
        c.add(2, 40);
        c.add(2, 2);
        c.add(1, 0);
        assertThat(c.sum(0)).isEqualTo(1);
        assertThat(c.sum(1)).isZero();
        assertThat(c.sum(2)).isEqualTo(42);
    }

    @Test
    void firstCountsRacingOnOneCounterAreAllKept() throws Exception {
        for (int round = 0; round < 50; round++) {
            LazyAdders c = new LazyAdders(1);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < 1000; i++) {
                        c.increment(0);
                    }
                });
                th.start();
                threads.add(th);
            }
            go.countDown();
            for (Thread th : threads) {
                th.join();
            }
            assertThat(c.sum(0)).isEqualTo(4000);
        }
    }
}
