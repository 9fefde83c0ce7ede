package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StallTimelineTest {

    private static final long MS = 1_000_000L;

    @Test
    void eachBucketKeepsItsSlowestRequestAndLatestTimerByIntendedTimeInWallClock(@TempDir Path dir) throws Exception {
        StallTimeline t = new StallTimeline(1_000 * MS, 1_700_000_000_000L, 1, 10);
        t.latency(1_000 * MS, 2 * MS);
        t.latency(1_009 * MS, 7 * MS);   // same bucket, slower
        t.latency(1_015 * MS, 3 * MS);   // the next bucket
        t.latency(999 * MS, 500 * MS);   // before the recorded phase: not kept
        t.latency(5_000 * MS, 500 * MS); // after it: not kept
        t.timerLate(1_025 * MS, 40 * MS);
        Path file = dir.resolve("timeline.csv");
        t.write(file);

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1 + 101);
        assertThat(lines.subList(0, 4)).containsExactly(
                "epoch_ms,offset_ms,slowest_ms,timer_late_ms",
                "1700000000000,0,7.000,0.000",
                "1700000000010,10,3.000,0.000",
                "1700000000020,20,0.000,40.000");
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("500.000"));
    }
}
