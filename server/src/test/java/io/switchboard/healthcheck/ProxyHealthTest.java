package io.switchboard.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** kube-proxy's health rule with a stepped clock: a change may wait at most the timeout for a sync. */
class ProxyHealthTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
    private final ProxyHealth health = new ProxyHealth(Duration.ofSeconds(60), now::get);

    private void step(int seconds) {
        now.set(now.get().plusSeconds(seconds));
    }

    @Test
    void healthyWhileStartingAndUnhealthyIfTheFirstFullSyncNeverComes() {
        assertThat(health.view().healthy()).isTrue();
        step(59);
        assertThat(health.view().healthy()).isTrue();
        step(1);
        assertThat(health.view().healthy()).isFalse();
        health.updated(now.get());
        assertThat(health.view().healthy()).isTrue();
        assertThat(health.view().lastUpdated()).isEqualTo(now.get());
    }

    @Test
    void aQueuedChangeOlderThanTheTimeoutIsUnhealthyUntilASyncThatStartedAfterItApplies() {
        health.updated(now.get());
        step(100);
        assertThat(health.view().healthy()).as("nothing queued: idle is healthy").isTrue();
        health.queued();
        Instant queuedAt = now.get();
        step(30);
        health.queued();
        step(30);
        assertThat(health.view().healthy()).as("the oldest queued change counts").isFalse();
        health.updated(queuedAt.minusSeconds(1));
        assertThat(health.view().healthy()).as("a sync that started before the change does not clear it").isFalse();
        health.updated(now.get());
        assertThat(health.view().healthy()).isTrue();
    }

    @Test
    void nodeEligibilityIsSeparateFromHealth() {
        health.nodeEligible(false);
        assertThat(health.view().healthy()).isTrue();
        assertThat(health.view().nodeEligible()).isFalse();
    }
}
