package io.switchboard.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthStateTest {

    @Test
    void fallConsecutiveFailuresTakeItDownAndRiseSuccessesBringItBack() {
        HealthState s = new HealthState(2, 3);
        assertThat(s.up()).isTrue();
        assertThat(s.record(false)).isFalse();
        assertThat(s.record(false)).isFalse();
        assertThat(s.record(true)).as("a success resets the streak").isFalse();
        assertThat(s.record(false)).isFalse();
        assertThat(s.record(false)).isFalse();
        assertThat(s.record(false)).isTrue();
        assertThat(s.up()).isFalse();
        assertThat(s.record(true)).isFalse();
        assertThat(s.record(false)).isFalse();
        assertThat(s.record(true)).isFalse();
        assertThat(s.record(true)).isTrue();
        assertThat(s.up()).isTrue();
    }
}
