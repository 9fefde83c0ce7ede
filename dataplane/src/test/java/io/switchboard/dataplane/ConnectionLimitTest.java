package io.switchboard.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionLimitTest {

    private final List<Boolean> changes = new ArrayList<>();

    private ConnectionLimit limit(int max) {
        ConnectionLimit limit = new ConnectionLimit(max);
        limit.onAcceptingChange(changes::add);
        return limit;
    }

    @Test
    void acceptingStopsAtTheCap() {
        ConnectionLimit limit = limit(100);
        for (int i = 0; i < 99; i++) {
            limit.opened();
        }
        assertThat(changes).isEmpty();
        limit.opened();
        assertThat(changes).containsExactly(false);
        assertThat(limit.pauses()).isEqualTo(1);
    }

    @Test
    void oneCloseAtTheCapResumesAcceptingAtOnce() {
        ConnectionLimit limit = limit(100);
        for (int i = 0; i < 100; i++) {
            limit.opened();
        }
        limit.closed();
        assertThat(changes).containsExactly(false, true);
        assertThat(limit.open()).isEqualTo(99);
    }

    @Test
    void eachSlotFreedAtTheCapTakesOneMoreClient() {
        ConnectionLimit limit = limit(10);
        for (int i = 0; i < 10; i++) {
            limit.opened();
        }
        for (int i = 0; i < 3; i++) {
            limit.closed();
            limit.opened();
        }
        assertThat(changes).containsExactly(false, true, false, true, false, true, false);
        assertThat(limit.pauses()).isEqualTo(4);
    }

    @Test
    void closesBelowTheCapChangeNothing() {
        ConnectionLimit limit = limit(10);
        limit.opened();
        limit.opened();
        limit.closed();
        limit.closed();
        assertThat(changes).isEmpty();
        assertThat(limit.open()).isZero();
    }

    @Test
    void crowdedWithinATenthOfTheCap() {
        ConnectionLimit limit = limit(100);
        for (int i = 0; i < 89; i++) {
            limit.opened();
        }
        assertThat(limit.crowded()).isFalse();
        limit.opened();
        assertThat(limit.crowded()).isTrue();
        limit.closed();
        assertThat(limit.crowded()).isFalse();
    }

    @Test
    void aSmallCapIsCrowdedOnlyAtItsLastSlot() {
        ConnectionLimit limit = limit(5);
        for (int i = 0; i < 3; i++) {
            limit.opened();
        }
        assertThat(limit.crowded()).isFalse();
        limit.opened();
        assertThat(limit.crowded()).isTrue();
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new ConnectionLimit(0)).hasMessageContaining("at least 1, got 0");
    }
}
