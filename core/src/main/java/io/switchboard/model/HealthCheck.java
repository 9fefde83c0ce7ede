package io.switchboard.model;

import java.time.Duration;
import java.util.Objects;

/**
 * An active TCP health check: a connect every {@code interval}, failing after {@code timeout};
 * {@code fall} consecutive failures mark an endpoint down and {@code rise} consecutive successes
 * bring it back, as HAProxy's {@code check inter/rise/fall}.
 */
public record HealthCheck(Duration interval, Duration timeout, int rise, int fall) {

    /** Defaults: every 5 s, 1 s timeout, rise 2, fall 3. */
    public static final HealthCheck DEFAULT = new HealthCheck(Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);

    public HealthCheck {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
    }
}
