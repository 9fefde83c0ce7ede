package io.switchboard.model;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code spec.sessionAffinity}: either none, or ClientIP with its timeout
 * ({@code sessionAffinityConfig.clientIP.timeoutSeconds}, default 10800 s).
 */
public record SessionAffinity(boolean clientIp, Duration timeout) {

    /** The Kubernetes default timeout for ClientIP affinity. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10800);

    /** No affinity. */
    public static final SessionAffinity NONE = new SessionAffinity(false, Duration.ZERO);

    public SessionAffinity {
        Objects.requireNonNull(timeout, "timeout");
    }

    /** ClientIP affinity with the given timeout. */
    public static SessionAffinity clientIp(Duration timeout) {
        return new SessionAffinity(true, timeout);
    }
}
