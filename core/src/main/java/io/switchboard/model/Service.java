package io.switchboard.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A Service as Switchboard serves it: the addresses it answers on, its ports and its policies.
 * Headless, ExternalName and foreign-proxy Services never become one of these.
 *
 * @param id                    namespace and name
 * @param type                  ClusterIP, NodePort or LoadBalancer
 * @param clusterIps            {@code spec.clusterIPs} (or {@code clusterIP})
 * @param externalIps           {@code spec.externalIPs}
 * @param loadBalancerIps       {@code status.loadBalancer.ingress[].ip}
 * @param ports                 {@code spec.ports}
 * @param affinity              session affinity
 * @param externalTrafficPolicy applies to node ports, external IPs and load-balancer IPs
 * @param internalTrafficPolicy applies to cluster IPs
 * @param options               Switchboard annotations
 * @param healthCheckNodePort   {@code spec.healthCheckNodePort}, 0 when none: where this node tells an
 *                              external load balancer whether it has local endpoints
 * @param loadBalancerSourceRanges {@code spec.loadBalancerSourceRanges}: the clients its load-balancer
 *                              IPs admit; empty admits all
 */
public record Service(ServiceId id, ServiceType type, List<InetAddress> clusterIps, List<InetAddress> externalIps,
                      List<InetAddress> loadBalancerIps, List<ServicePort> ports, SessionAffinity affinity,
                      TrafficPolicy externalTrafficPolicy, TrafficPolicy internalTrafficPolicy,
                      ServiceOptions options, int healthCheckNodePort, List<Cidr> loadBalancerSourceRanges) {

    public Service {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        clusterIps = List.copyOf(clusterIps);
        externalIps = List.copyOf(externalIps);
        loadBalancerIps = List.copyOf(loadBalancerIps);
        ports = List.copyOf(ports);
        Objects.requireNonNull(affinity, "affinity");
        Objects.requireNonNull(externalTrafficPolicy, "externalTrafficPolicy");
        Objects.requireNonNull(internalTrafficPolicy, "internalTrafficPolicy");
        Objects.requireNonNull(options, "options");
        loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges);
    }

    /** A Service whose load-balancer IPs admit every client. */
    public Service(ServiceId id, ServiceType type, List<InetAddress> clusterIps, List<InetAddress> externalIps,
                   List<InetAddress> loadBalancerIps, List<ServicePort> ports, SessionAffinity affinity,
                   TrafficPolicy externalTrafficPolicy, TrafficPolicy internalTrafficPolicy, ServiceOptions options,
                   int healthCheckNodePort) {
        this(id, type, clusterIps, externalIps, loadBalancerIps, ports, affinity, externalTrafficPolicy,
                internalTrafficPolicy, options, healthCheckNodePort, List.of());
    }

    /** A Service without a health-check node port. */
    public Service(ServiceId id, ServiceType type, List<InetAddress> clusterIps, List<InetAddress> externalIps,
                   List<InetAddress> loadBalancerIps, List<ServicePort> ports, SessionAffinity affinity,
                   TrafficPolicy externalTrafficPolicy, TrafficPolicy internalTrafficPolicy, ServiceOptions options) {
        this(id, type, clusterIps, externalIps, loadBalancerIps, ports, affinity, externalTrafficPolicy,
                internalTrafficPolicy, options, 0);
    }

}
