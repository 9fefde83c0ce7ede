package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The two passive health rules an endpoint follows: connect hold-down and outlier ejection. */
class PassiveHealthPoliciesTest {

    private static final long BASE = 1_000;

    @Test
    void connectHoldDownDoublesWithEachFailureInARowUpToItsCap() {
        ConnectHoldDown h = new ConnectHoldDown();
        assertThat(h.failed(BASE)).isEqualTo(BASE);
        assertThat(h.failed(BASE)).isEqualTo(2 * BASE);
        assertThat(h.failed(BASE)).isEqualTo(4 * BASE);
        for (int i = 0; i < 40; i++) {
            h.failed(BASE);
        }
        assertThat(h.failed(BASE)).isEqualTo(ConnectHoldDown.MAX_FACTOR * BASE);
        h.succeeded();
        assertThat(h.failed(BASE)).as("a connect that worked starts again from the base").isEqualTo(BASE);
    }

    @Test
    void ejectionComesAfterTheThresholdAndLengthensWithEjectionsInARow() {
        OutlierEjection e = new OutlierEjection();
        assertThat(e.failed(3, BASE, 0)).isZero();
        assertThat(e.failed(3, BASE, 0)).isZero();
        assertThat(e.failed(3, BASE, 0)).isEqualTo(BASE);
        assertThat(e.failed(3, BASE, 0)).as("the streak starts again after an ejection").isZero();
        e.failed(3, BASE, 0);
        assertThat(e.failed(3, BASE, 0)).isEqualTo(2 * BASE);
        assertThat(e.count()).isEqualTo(2);
    }

    @Test
    void aSuccessEndsTheStreakButOnlyASuccessAfterProbationEndsTheEjectionsInARow() {
        OutlierEjection e = new OutlierEjection();
        e.failed(2, BASE, 0);
        e.succeeded(0);
        assertThat(e.failed(2, BASE, 0)).as("a success between failures ends the streak").isZero();
        assertThat(e.failed(2, BASE, 0)).isEqualTo(BASE);
        e.succeeded(BASE);
        e.failed(2, BASE, BASE);
        assertThat(e.failed(2, BASE, BASE)).as("a success within probation keeps the row").isEqualTo(2 * BASE);
        e.succeeded(10 * BASE);
        e.failed(2, BASE, 10 * BASE);
        assertThat(e.failed(2, BASE, 10 * BASE)).as("healthy past probation: the base again").isEqualTo(BASE);
    }

    @Test
    void ejectionsStopLengtheningAtTenTimesTheBase() {
        OutlierEjection e = new OutlierEjection();
        long last = 0;
        for (int i = 0; i < 15; i++) {
            last = e.failed(1, BASE, 0);
        }
        assertThat(last).isEqualTo(OutlierEjection.MAX_MULTIPLIER * BASE);
    }
}
