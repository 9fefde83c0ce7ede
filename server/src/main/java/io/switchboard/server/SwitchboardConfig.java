package io.switchboard.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a Switchboard instance runs.
 *
 * @param config             manifest directory or file, or null when only the Kubernetes API is read
 * @param workers            event-loop threads
 * @param admin              admin server address (port 0 picks one)
 * @param nodePortAddresses  where node ports are served
 * @param nodeName           this node, for Local traffic policies
 * @param proxyName          the name Services use in service.kubernetes.io/service-proxy-name
 * @param minSyncInterval    the least time between syncs (bursts of changes merge)
 * @param pollInterval       the most time between syncs (catches changes a file watch misses)
 * @param wildcardThreshold  addresses per port bound one by one before one wildcard socket serves them
 * @param maxAffinityEntries bound on ClientIP affinity entries
 * @param maxUdpFlows        bound on UDP flows; each holds a socket, so this is also a file budget
 * @param maxConnections     bound on open client connections over all TCP listeners; 0 derives it from
 *                           the open-file limit
 * @param kubernetes         the Kubernetes API source, or null for none
 * @param healthz            where the proxy health server ({@code /healthz}, {@code /livez}) listens, or null
 *                           for none
 * @param serviceAddresses   which Service addresses are made local on this node
 * @param etcd               the etcd source, or null for none
 * @param transport          the Netty transports of the data plane, TCP's and UDP's ({@code --transport})
 * @param adminActions       whether the admin server offers state-changing actions beyond flows and handover
 *                           (draining an endpoint; {@code --admin-actions}), and the dashboard shows them
 */
public record SwitchboardConfig(Path config, int workers, InetSocketAddress admin, List<InetAddress> nodePortAddresses,
                                String nodeName, String proxyName, Duration minSyncInterval, Duration pollInterval,
                                int wildcardThreshold, long maxAffinityEntries, int maxUdpFlows,
                                int maxConnections, Kubernetes kubernetes, InetSocketAddress healthz,
                                ServiceAddresses serviceAddresses, io.switchboard.source.etcd.EtcdSettings etcd,
                                io.switchboard.dataplane.Transports transport, boolean adminActions) {

    /**
     * Which Service addresses Switchboard makes local on this node, as IPVS mode does with
     * {@code kube-ipvs0}, so that traffic to them reaches its listeners.
     *
     * @param cidrs      blocks routed locally, one {@code local} route each (the service CIDR)
     * @param perAddress also each cluster, external and load-balancer IP served, as a /32 or /128
     */
    public record ServiceAddresses(List<io.switchboard.model.Cidr> cidrs, boolean perAddress) {
        /** Nothing made local (the manifest default: addresses are loopback or routed by the operator). */
        public static final ServiceAddresses NONE = new ServiceAddresses(List.of(), false);

        public ServiceAddresses {
            cidrs = List.copyOf(cidrs);
        }

        /** True when nothing is to be made local. */
        public boolean isEmpty() {
            return cidrs.isEmpty() && !perAddress;
        }
    }

    /**
     * How to reach the Kubernetes API.
     *
     * @param kubeconfig    a kubeconfig file, or null for the in-cluster service account (or the usual
     *                      kubeconfig lookup outside a cluster)
     * @param namespaces    the namespaces to watch; empty for all
     * @param resync        informer resync period (0 for none)
     * @param healthTimeout how long a queued change may wait before {@code /healthz} fails
     */
    public record Kubernetes(Path kubeconfig, List<String> namespaces, Duration resync, Duration healthTimeout) {
        public Kubernetes {
            namespaces = List.copyOf(namespaces);
            Objects.requireNonNull(resync, "resync");
            Objects.requireNonNull(healthTimeout, "healthTimeout");
        }
    }

    public SwitchboardConfig {

        Objects.requireNonNull(admin, "admin");
        nodePortAddresses = List.copyOf(nodePortAddresses);
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(proxyName, "proxyName");
        Objects.requireNonNull(minSyncInterval, "minSyncInterval");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(serviceAddresses, "serviceAddresses");
        Objects.requireNonNull(transport, "transport");
    }

    /** Defaults for serving {@code config}: a loop per core, admin on 127.0.0.1:9901, node ports on 127.0.0.1. */
    public static SwitchboardConfig defaults(Path config) {
        return new SwitchboardConfig(config, Runtime.getRuntime().availableProcessors(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9901), List.of(InetAddress.getLoopbackAddress()),
                localHostName(), "switchboard", Duration.ofMillis(100), Duration.ofSeconds(1), 64, 1_000_000, 8192, 0, null, null, ServiceAddresses.NONE, null,
                io.switchboard.dataplane.Transports.auto(), false);
    }

    /** The same with another admin address. */
    public SwitchboardConfig withAdmin(InetSocketAddress address) {
        return new SwitchboardConfig(config, workers, address, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with another number of workers. */
    public SwitchboardConfig withWorkers(int n) {
        return new SwitchboardConfig(config, n, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with another wildcard threshold. */
    public SwitchboardConfig withWildcardThreshold(int n) {
        return new SwitchboardConfig(config, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, n, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with another UDP flow bound. */
    public SwitchboardConfig withMaxUdpFlows(int n) {
        return new SwitchboardConfig(config, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, n, maxConnections, kubernetes, healthz, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with another connection bound. */
    public SwitchboardConfig withMaxConnections(int n) {
        return new SwitchboardConfig(config, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, n, kubernetes, healthz, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with the Kubernetes API as a source (and the manifest directory, when {@code config} is set). */
    public SwitchboardConfig withKubernetes(Path manifests, Kubernetes k, InetSocketAddress healthzAddress) {
        return new SwitchboardConfig(manifests, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, k, healthzAddress, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with node ports served on {@code addresses}. */
    public SwitchboardConfig withNodePortAddresses(List<InetAddress> addresses) {
        return new SwitchboardConfig(config, workers, admin, addresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with another node name. */
    public SwitchboardConfig withNodeName(String name) {
        return new SwitchboardConfig(config, workers, admin, nodePortAddresses, name, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz, serviceAddresses, etcd, transport, adminActions);
    }

    /** The same with {@code addresses} made local. */
    public SwitchboardConfig withServiceAddresses(ServiceAddresses addresses) {
        return new SwitchboardConfig(config, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz,
                addresses, etcd, transport, adminActions);
    }

    /** The same on another transport, for TCP and UDP alike. */
    public SwitchboardConfig withTransport(io.switchboard.dataplane.Transport t) {
        return withTransports(io.switchboard.dataplane.Transports.of(t));
    }

    /** The same on a pair of transports: one for TCP, one for UDP. */
    public SwitchboardConfig withTransports(io.switchboard.dataplane.Transports t) {
        return new SwitchboardConfig(config, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz,
                serviceAddresses, etcd, t, adminActions);
    }

    /** The same with admin actions on or off ({@code --admin-actions}). */
    public SwitchboardConfig withAdminActions(boolean on) {
        return new SwitchboardConfig(config, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz,
                serviceAddresses, etcd, transport, on);
    }

    /** The same with manifests read from etcd too (and the manifest directory, when {@code manifests} is set). */
    public SwitchboardConfig withEtcd(Path manifests, io.switchboard.source.etcd.EtcdSettings settings) {
        return new SwitchboardConfig(manifests, workers, admin, nodePortAddresses, nodeName, proxyName, minSyncInterval,
                pollInterval, wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, kubernetes, healthz,
                serviceAddresses, settings, transport, adminActions);
    }

    /** This machine's host name, as kube-proxy defaults its node name. */
    public static String localHostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
