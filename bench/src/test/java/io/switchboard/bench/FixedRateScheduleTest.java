package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FixedRateScheduleTest {

    @Test
    void requestIIsIntendedAtStartPlusIOverRate() {
        FixedRateSchedule s = new FixedRateSchedule(1_000, 20_000, 100);
        assertThat(s.intendedNanos(0)).isEqualTo(1_000);
        assertThat(s.intendedNanos(1)).isEqualTo(1_000 + 50_000);
        assertThat(s.intendedNanos(40)).isEqualTo(1_000 + 2_000_000);
    }

    @Test
    void intendedTimesRoundDownWhenTheRateDoesNotDivideASecond() {
        FixedRateSchedule s = new FixedRateSchedule(0, 3, 10);
        assertThat(s.intendedNanos(1)).isEqualTo(333_333_333);
        assertThat(s.intendedNanos(2)).isEqualTo(666_666_666);
        assertThat(s.intendedNanos(3)).isEqualTo(1_000_000_000);
    }

    @Test
    void nothingIsDueBeforeTheStartAndRequestZeroIsDueAtIt() {
        FixedRateSchedule s = new FixedRateSchedule(5_000, 1_000, 10);
        assertThat(s.dueBy(4_999)).isZero();
        assertThat(s.dueBy(5_000)).isEqualTo(1);
        assertThat(s.dueBy(5_000 + 999_999)).isEqualTo(1);
        assertThat(s.dueBy(5_000 + 1_000_000)).isEqualTo(2);
    }

    @Test
    void dueCountsExactlyTheRequestsIntendedAtOrBeforeNow() {
        for (long rate : new long[] {1, 3, 7, 20_000, 33_333, 1_000_000}) {
            FixedRateSchedule s = new FixedRateSchedule(123, rate, Long.MAX_VALUE / 2_000_000_000L);
            for (long now = 0; now < 3_000_000_000L; now += 7_919_111) {
                long due = s.dueBy(now);
                if (due > 0) {
                    assertThat(s.intendedNanos(due - 1)).as("rate %d now %d", rate, now).isLessThanOrEqualTo(now);
                }
                assertThat(s.intendedNanos(due)).as("rate %d now %d", rate, now).isGreaterThan(now);
            }
        }
    }

    @Test
    void dueStopsAtTheTotal() {
        FixedRateSchedule s = new FixedRateSchedule(0, 1_000, 50);
        assertThat(s.dueBy(10_000_000_000L)).isEqualTo(50);
    }
}
