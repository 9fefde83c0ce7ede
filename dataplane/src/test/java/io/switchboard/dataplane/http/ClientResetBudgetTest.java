package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-address reset budget: a fixed window per client address, counted across its connections. */
class ClientResetBudgetTest {

    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
    private final ClientResetBudget budget = new ClientResetBudget(3, Duration.ofSeconds(10), now::get);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void resetsBeyondTheLimitWithinTheWindowAreRefusedAndCounted() throws Exception {
        InetAddress a = ip("192.0.2.1");
        assertThat(budget.tryReset(a)).isTrue();
        assertThat(budget.tryReset(a)).isTrue();
        assertThat(budget.tryReset(a)).isTrue();
        assertThat(budget.tryReset(a)).isFalse();
        assertThat(budget.tryReset(a)).isFalse();
        assertThat(budget.refused()).isEqualTo(2);
    }

    @Test
    void eachAddressHasABudgetOfItsOwn() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(budget.tryReset(ip("192.0.2.1"))).isTrue();
        }
        assertThat(budget.tryReset(ip("192.0.2.1"))).isFalse();
        assertThat(budget.tryReset(ip("192.0.2.2"))).isTrue();
        assertThat(budget.tryReset(ip("2001:db8::1"))).isTrue();
    }

    @Test
    void aNewWindowStartsAfterTheOldOneEnds() throws Exception {
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            assertThat(budget.tryReset(a)).isTrue();
        }
        advance(Duration.ofMillis(9_999));
        assertThat(budget.tryReset(a)).as("still the first window").isFalse();
        advance(Duration.ofMillis(1));
        assertThat(budget.tryReset(a)).as("the window began with the first reset, 10 s ago").isTrue();
        assertThat(budget.tryReset(a)).isTrue();
        assertThat(budget.tryReset(a)).isTrue();
        assertThat(budget.tryReset(a)).isFalse();
    }

    @Test
    void aClockThatGoesBackStartsANewWindowRatherThanRefusingForever() throws Exception {
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            budget.tryReset(a);
        }
        advance(Duration.ofSeconds(-5));
        assertThat(budget.tryReset(a)).isTrue();
    }

    @Test
    void aLimitOutsideWhatTheCounterHoldsIsRefused() {
        assertThatThrownBy(() -> ClientResetBudget.of(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit must be between 1 and");
        assertThatThrownBy(() -> ClientResetBudget.of(1 << 24, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
