package io.switchboard.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunPlanTest {

    private static final long MS = 1_000_000L;
    private final RunPlan plan = new RunPlan(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Test
    void firstRequestRunsAtOnce() {
        assertThat(plan.nextRunAt()).isEqualTo(Long.MAX_VALUE);
        plan.request(5 * MS);
        assertThat(plan.nextRunAt()).isEqualTo(5 * MS);
    }

    @Test
    void requestsWithinTheMinimumIntervalMergeIntoOneRun() {
        plan.request(0);
        plan.started(0);
        plan.finished(10 * MS, true);
        plan.request(20 * MS);
        plan.request(30 * MS);
        plan.request(90 * MS);
        assertThat(plan.nextRunAt()).isEqualTo(100 * MS);
        plan.started(100 * MS);
        plan.finished(110 * MS, true);
        assertThat(plan.nextRunAt()).as("no request left: periodic only").isEqualTo(10_100 * MS);
    }

    @Test
    void aRequestAfterTheMinimumIntervalRunsImmediately() {
        plan.request(0);
        plan.started(0);
        plan.finished(1 * MS, true);
        plan.request(500 * MS);
        assertThat(plan.nextRunAt()).isEqualTo(500 * MS);
    }

    @Test
    void failedRunIsRetriedAfterTheRetryInterval() {
        plan.request(0);
        plan.started(0);
        plan.finished(50 * MS, false);
        assertThat(plan.nextRunAt()).isEqualTo(1050 * MS);
        plan.started(1050 * MS);
        plan.finished(1060 * MS, true);
        assertThat(plan.nextRunAt()).isEqualTo(11_050 * MS);
    }

    @Test
    void minimumMayNotExceedMaximum() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new RunPlan(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
