package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.routing.RequestStats;
import org.junit.jupiter.api.Test;

class RoutingViewTest {

    private static final double[] BOUNDS = {0.1, 0.2, 0.4};

    @Test
    void quantilesInterpolateInsideTheirBucketAsHistogramQuantileDoes() {
        // 10 requests up to 0.1 s, 10 more up to 0.2 s: the median is the top of the first bucket,
        // the 75th percentile halfway through the second.
        long[] buckets = {10, 10, 0, 0};
        assertThat(RoutingView.quantile(buckets, BOUNDS, 0.5)).isCloseTo(0.1, within(1e-9));
        assertThat(RoutingView.quantile(buckets, BOUNDS, 0.75)).isCloseTo(0.15, within(1e-9));
        assertThat(RoutingView.quantile(buckets, BOUNDS, 0.25)).isCloseTo(0.05, within(1e-9));
    }

    @Test
    void aboveTheLastBoundTheAnswerIsTheLastBoundAndWithoutRequestsThereIsNone() {
        assertThat(RoutingView.quantile(new long[] {0, 0, 0, 4}, BOUNDS, 0.99)).isEqualTo(0.4);
        assertThat(RoutingView.quantile(new long[] {0, 0, 0, 0}, BOUNDS, 0.5)).isNull();
    }

    @Test
    void requestStatsFeedTheViewsCountersAndQuantiles() {
        RequestStats r = new RequestStats();
        for (int i = 0; i < 98; i++) {
            r.started();
            r.finished(200, 2_000_000);
        }
        r.started();
        r.finished(503, 2_000_000_000L);
        r.started();
        r.finished(0, 3_000_000);
        assertThat(RoutingView.errors(r)).isEqualTo(2);
        assertThat(RoutingView.byClass(r)).containsExactly(java.util.Map.entry("0", 1L), java.util.Map.entry("2xx", 98L),
                java.util.Map.entry("5xx", 1L));
        assertThat(RoutingView.quantile(r, 0.5)).isBetween(0.001, 0.0025);
        assertThat(RoutingView.quantile(r, 0.999)).isBetween(1.0, 2.5);
    }
}
