package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    private static long[] oneTo(int n) {
        LatencyRecorder r = new LatencyRecorder(n);
        for (int i = n; i >= 1; i--) {
            r.record(i);
        }
        return r.sorted();
    }

    @Test
    void nearestRankPercentilesOfOneToAThousand() {
        long[] sorted = oneTo(1_000);
        assertThat(LatencyRecorder.percentile(sorted, 50)).isEqualTo(500);
        assertThat(LatencyRecorder.percentile(sorted, 90)).isEqualTo(900);
        assertThat(LatencyRecorder.percentile(sorted, 99)).isEqualTo(990);
        assertThat(LatencyRecorder.percentile(sorted, 99.9)).isEqualTo(999);
        assertThat(LatencyRecorder.percentile(sorted, 100)).isEqualTo(1_000);
        assertThat(LatencyRecorder.percentile(sorted, 0.01)).isEqualTo(1);
    }

    @Test
    void aPercentileBetweenRanksRoundsUp() {
        long[] sorted = oneTo(10);
        assertThat(LatencyRecorder.percentile(sorted, 99)).isEqualTo(10);
        assertThat(LatencyRecorder.percentile(sorted, 51)).isEqualTo(6);
        assertThat(LatencyRecorder.percentile(sorted, 50)).isEqualTo(5);
    }

    @Test
    void oneSlowRequestInAThousandIsTheMaxButNotP999() {
        LatencyRecorder r = new LatencyRecorder(1_000);
        for (int i = 0; i < 999; i++) {
            r.record(100);
        }
        r.record(1_000_000);
        long[] sorted = r.sorted();
        assertThat(LatencyRecorder.percentile(sorted, 99.9)).isEqualTo(100);
        assertThat(LatencyRecorder.percentile(sorted, 100)).isEqualTo(1_000_000);
    }

    @Test
    void emptyIsZeroAndValuesBeyondTheCapacityAreDropped() {
        assertThat(LatencyRecorder.percentile(new long[0], 99)).isZero();
        LatencyRecorder r = new LatencyRecorder(2);
        r.record(3);
        r.record(1);
        r.record(2);
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.sorted()).containsExactly(1, 3);
    }

    @Test
    void percentOutsideZeroToAHundredIsRefused() {
        assertThatThrownBy(() -> LatencyRecorder.percentile(new long[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencyRecorder.percentile(new long[] {1}, 100.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
