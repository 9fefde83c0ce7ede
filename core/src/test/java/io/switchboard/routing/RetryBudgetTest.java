package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private long now = TimeUnit.SECONDS.toNanos(1000);
    private final RetryBudget budget = new RetryBudget(() -> now);

    private int withdrawals(int max, int minPerSecond) {
        int n = 0;
        while (n < max && budget.tryWithdraw(minPerSecond)) {
            n++;
        }
        return n;
    }

    @Test
    void theReserveAloneAllowsMinPerSecondTimesTheWindow() {
        assertThat(withdrawals(1000, 10)).isEqualTo(10 * RetryBudget.WINDOW_SECONDS);
        assertThat(withdrawals(1000, 0)).isZero();
    }

    @Test
    void eachRequestEarnsItsShareOfARetry() {
        for (int i = 0; i < 1000; i++) {
            budget.deposit(20);
        }
        assertThat(withdrawals(10_000, 0)).isEqualTo(200);
    }

    @Test
    void aBurstOfFailuresIsRetriedFromTheReserve() {
        // One endpoint of three dies with 20 requests in flight: all of them may be retried at once.
        for (int i = 0; i < 100; i++) {
            budget.deposit(20);
        }
        assertThat(withdrawals(20, 10)).isEqualTo(20);
    }

    @Test
    void whenEveryTryFailsRetriesAddAtMostThePercentPlusTheReserve() {
        int retries = 0;
        int requests = 0;
        // 60 s of 500 requests a second, every one failing and asking for a retry.
        for (int s = 0; s < 60; s++) {
            for (int r = 0; r < 500; r++) {
                budget.deposit(20);
                requests++;
                if (budget.tryWithdraw(10)) {
                    retries++;
                }
            }
            now += TimeUnit.SECONDS.toNanos(1);
        }
        assertThat(retries).isLessThanOrEqualTo(requests / 5 + 10 * 60 + 10 * RetryBudget.WINDOW_SECONDS);
        assertThat(retries).isGreaterThanOrEqualTo(requests / 5);
    }

    @Test
    void depositsAndWithdrawalsExpireWithTheWindow() {
        assertThat(withdrawals(1000, 10)).isEqualTo(100);
        now += TimeUnit.SECONDS.toNanos(RetryBudget.WINDOW_SECONDS);
        assertThat(withdrawals(1000, 10)).isEqualTo(100);
        for (int i = 0; i < 500; i++) {
            budget.deposit(20);
        }
        now += TimeUnit.SECONDS.toNanos(RetryBudget.WINDOW_SECONDS);
        assertThat(withdrawals(1000, 0)).isZero();
    }
}
