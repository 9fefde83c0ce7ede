package io.switchboard.model;

import io.switchboard.scheduler.Algorithm;
import io.switchboard.scheduler.SchedulerFlag;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Per-Service behaviour that Kubernetes has no field for, read from {@code switchboard.io/*}
 * annotations.
 *
 * @param scheduler        how a new connection picks an endpoint
 * @param schedulerFlags   IPVS scheduler flags such as {@code sh-fallback}
 * @param endpointWeights  weight by endpoint IP or target pod name; endpoints not named weigh 1
 * @param healthCheck      the active health check, if enabled
 * @param connectTimeout   how long one connect attempt to an endpoint may take
 * @param connectAttempts  how many endpoints a connection tries before it is reset
 * @param idleTimeout      how long a relayed connection may see no traffic either way
 * @param downBackoff      how long a failed connect keeps an endpoint out of scheduling at first;
 *                         it doubles with each consecutive failure up to 32 times this
 * @param udpTimeout       how long a UDP flow that has only seen traffic one way lives without
 *                         traffic (Linux conntrack's {@code nf_conntrack_udp_timeout}, 30 s)
 * @param udpStreamTimeout how long a UDP flow that has seen traffic both ways lives without traffic
 *                         ({@code nf_conntrack_udp_timeout_stream}, 120 s)
 * @param http             request-level behaviour of HTTP ports
 * @param sharedLoad       whether a fleet on etcd shares this Service's per-endpoint load, so the
 *                         connection-count schedulers weigh every instance's connections
 */
public record ServiceOptions(Algorithm scheduler, Set<SchedulerFlag> schedulerFlags,
                             Map<String, Integer> endpointWeights, Optional<HealthCheck> healthCheck,
                             Duration connectTimeout, int connectAttempts, Duration idleTimeout,
                             Duration downBackoff, Duration udpTimeout, Duration udpStreamTimeout,
                             HttpOptions http, boolean sharedLoad) {

    /** The options of a Service with no Switchboard annotations. */
    public static final ServiceOptions DEFAULT = new ServiceOptions(Algorithm.RR, Set.of(), Map.of(),
            Optional.empty(), Duration.ofSeconds(2), 3, Duration.ofHours(1), Duration.ofSeconds(1),
            Duration.ofSeconds(30), Duration.ofSeconds(120), HttpOptions.DEFAULT, false);

    public ServiceOptions {
        Objects.requireNonNull(scheduler, "scheduler");
        schedulerFlags = Set.copyOf(schedulerFlags);
        endpointWeights = Map.copyOf(endpointWeights);
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(downBackoff, "downBackoff");
        Objects.requireNonNull(udpTimeout, "udpTimeout");
        Objects.requireNonNull(udpStreamTimeout, "udpStreamTimeout");
        Objects.requireNonNull(http, "http");
        if (connectAttempts < 1) {
            throw new IllegalArgumentException("connectAttempts must be at least 1");
        }
    }

    /** Options whose load is this instance's alone. */
    public ServiceOptions(Algorithm scheduler, Set<SchedulerFlag> schedulerFlags, Map<String, Integer> endpointWeights,
                          Optional<HealthCheck> healthCheck, Duration connectTimeout, int connectAttempts,
                          Duration idleTimeout, Duration downBackoff, Duration udpTimeout, Duration udpStreamTimeout,
                          HttpOptions http) {
        this(scheduler, schedulerFlags, endpointWeights, healthCheck, connectTimeout, connectAttempts, idleTimeout,
                downBackoff, udpTimeout, udpStreamTimeout, http, false);
    }

    /** The weight configured for an endpoint, looked up by IP address first, then by pod name. */
    public int weightOf(String address, String targetName) {
        Integer w = endpointWeights.get(address);
        if (w == null && targetName != null) {
            w = endpointWeights.get(targetName);
        }
        return w == null ? 1 : w;
    }
}
