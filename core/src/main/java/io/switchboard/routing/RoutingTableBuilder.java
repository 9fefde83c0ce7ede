package io.switchboard.routing;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.Endpoint;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.NodeInfo;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServicePort;
import io.switchboard.model.ServicePortName;
import io.switchboard.model.ServiceType;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.scheduler.SchedulerConfig;
import io.switchboard.scheduler.Schedulers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.pcollections.PMap;

/**
 * Turns changed Services into a new {@link RoutingTable}, rebuilding only those Services and sharing
 * the rest with the previous table. It owns the state that outlives tables: the {@link Backend}s
 * (so connection counts and health carry over) and per-port counters. Not thread-safe: the sync
 * loop is its only caller.
 */
public final class RoutingTableBuilder {

    /**
     * Node-level settings.
     *
     * @param nodeName          this node's name, for Local traffic policies
     * @param nodePortAddresses where node ports are served
     * @param schedulerConfig   random source, clock and table sizes for schedulers
     * @param nanoTime          clock for passive health back-off
     * @param holdDowns         told when passive health takes an endpoint out of rotation
     */
    public record Settings(String nodeName, List<InetAddress> nodePortAddresses, SchedulerConfig schedulerConfig,
                           LongSupplier nanoTime, HoldDownListener holdDowns) {
        public Settings {
            Objects.requireNonNull(nodeName, "nodeName");
            nodePortAddresses = List.copyOf(nodePortAddresses);
            Objects.requireNonNull(schedulerConfig, "schedulerConfig");
            Objects.requireNonNull(nanoTime, "nanoTime");
            Objects.requireNonNull(holdDowns, "holdDowns");
        }

        /** Settings whose hold-downs nobody watches. */
        public Settings(String nodeName, List<InetAddress> nodePortAddresses, SchedulerConfig schedulerConfig,
                        LongSupplier nanoTime) {
            this(nodeName, nodePortAddresses, schedulerConfig, nanoTime, HoldDownListener.NONE);
        }
    }

    private record BackendKey(ServicePortName port, InetSocketAddress address) {
    }

    private final Settings settings;
    private final Map<BackendKey, Backend> backends = new HashMap<>();
    private final Map<ServicePortName, ServicePortStats> stats = new HashMap<>();
    private RoutingTable current = RoutingTable.EMPTY;
    private NodeInfo node;

    /** A builder starting from the empty table. */
    public RoutingTableBuilder(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.node = NodeInfo.named(settings.nodeName());
    }

    /**
     * Sets what this node is (its zone decides which topology hints apply). Takes effect for the
     * Services rebuilt from now on: a caller whose node changed rebuilds them all.
     */
    public void node(NodeInfo info) {
        this.node = Objects.requireNonNull(info, "info");
    }

    /** This node as the builder sees it. */
    public NodeInfo node() {
        return node;
    }

    /** The last table built. */
    public RoutingTable current() {
        return current;
    }

    /**
     * Rebuilds the routes of {@code changed} Services from {@code snapshot}. Two Services never claim
     * one address: the object store decides that once, for every source, before a snapshot exists.
     */
    public RoutingUpdate apply(Set<ServiceId> changed, ClusterSnapshot snapshot) {
        Set<ServiceId> todo = new TreeSet<>(changed);
        RoutingTable previous = current;
        PMap<VirtualAddress, VirtualService> byAddress = previous.addressMap();
        PMap<ServiceId, ServiceRoutes> byService = previous.serviceMap();
        Map<ServiceId, ServiceRoutes> old = new HashMap<>();
        for (ServiceId id : todo) {
            ServiceRoutes routes = byService.get(id);
            if (routes != null) {
                byService = byService.minus(id);
                old.put(id, routes);
                for (VirtualService vs : routes.virtualServices()) {
                    if (byAddress.get(vs.address()) == vs) {
                        byAddress = byAddress.minus(vs.address());
                    }
                }
            }
        }
        for (ServiceId id : todo) {
            Service service = snapshot.services().get(id);
            ServiceRoutes previousRoutes = old.get(id);
            ServiceRoutes routes = service == null ? null : build(service, snapshot.endpointsOf(id));
            if (routes != null) {
                for (VirtualService vs : routes.virtualServices()) {
                    byAddress = byAddress.plus(vs.address(), vs);
                }
                byService = byService.plus(id, routes);
            }
            release(previousRoutes, routes);
        }
        // Only the rebuilt Services can have gained or lost addresses: no scan of the whole table.
        Set<VirtualAddress> added = new java.util.LinkedHashSet<>();
        Set<VirtualAddress> removed = new java.util.LinkedHashSet<>();
        for (ServiceId id : todo) {
            ServiceRoutes before = old.get(id);
            if (before != null) {
                for (VirtualService vs : before.virtualServices()) {
                    if (!byAddress.containsKey(vs.address())) {
                        removed.add(vs.address());
                    }
                }
            }
            ServiceRoutes after = byService.get(id);
            if (after != null) {
                for (VirtualService vs : after.virtualServices()) {
                    if (!previous.virtualServices().containsKey(vs.address())) {
                        added.add(vs.address());
                    }
                }
            }
        }
        current = new RoutingTable(previous.version() + 1, byAddress, byService);
        return new RoutingUpdate(current, new ArrayList<>(added), new ArrayList<>(removed));
    }

    /** Retires endpoints and counters the old routes had and the new ones do not. */
    private void release(ServiceRoutes before, ServiceRoutes after) {
        if (before == null) {
            return;
        }
        Set<Backend> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<ServicePortName> keptPorts = new HashSet<>();
        if (after != null) {
            kept.addAll(after.allBackends());
            for (BackendPool p : after.pools()) {
                keptPorts.add(p.id().servicePort());
            }
        }
        for (Backend b : before.allBackends()) {
            if (!kept.contains(b)) {
                b.retire();
                backends.remove(new BackendKey(b.servicePort(), b.socketAddress()), b);
                ServicePortStats s = stats.get(b.servicePort());
                if (s != null && keptPorts.contains(b.servicePort()) && b.hasOpenConnections()) {
                    s.retain(b);
                }
            }
        }
        for (BackendPool p : before.pools()) {
            if (!keptPorts.contains(p.id().servicePort())) {
                stats.remove(p.id().servicePort());
            }
        }
    }

    private ServiceRoutes build(Service service, List<EndpointSlice> slices) {
        List<VirtualService> virtualServices = new ArrayList<>();
        List<BackendPool> pools = new ArrayList<>();
        List<Backend> all = new ArrayList<>();
        boolean hasNodePorts = service.type() != ServiceType.CLUSTER_IP;
        for (ServicePort port : service.ports()) {
            ServicePortName spn = port.nameIn(service.id());
            ServicePortStats portStats = stats.computeIfAbsent(spn, k -> new ServicePortStats());
            List<Backend> portBackends = new ArrayList<>();
            Map<Backend, Endpoint> endpointOf = new IdentityHashMap<>();
            for (EndpointResolver.ResolvedEndpoint r : EndpointResolver.resolve(port, slices)) {
                Backend b = backends.computeIfAbsent(new BackendKey(spn, r.socketAddress()),
                        k -> new Backend(spn, r.socketAddress(), settings.nanoTime(), settings.holdDowns()));
                b.update(service.options().weightOf(r.socketAddress().getAddress().getHostAddress(),
                        r.endpoint().targetName()), r.endpoint().conditions(), r.endpoint().targetName(),
                        r.endpoint().nodeName(), port.balancesRequests());
                portBackends.add(b);
                endpointOf.put(b, r.endpoint());
            }
            all.addAll(portBackends);
            FamilyPools internal = new FamilyPools(service, spn, Scope.INTERNAL, service.internalTrafficPolicy(),
                    portBackends, endpointOf, portStats, pools);
            for (InetAddress ip : service.clusterIps()) {
                virtualServices.add(new VirtualService(new VirtualAddress(ip, port.port(), port.protocol()),
                        AddressKind.CLUSTER_IP, service, port, internal.of(ip)));
            }
            boolean nodePort = hasNodePorts && port.nodePort() > 0 && !settings.nodePortAddresses().isEmpty();
            FamilyPools external = new FamilyPools(service, spn, Scope.EXTERNAL, service.externalTrafficPolicy(),
                    portBackends, endpointOf, portStats, pools);
            for (InetAddress ip : service.externalIps()) {
                virtualServices.add(new VirtualService(new VirtualAddress(ip, port.port(), port.protocol()),
                        AddressKind.EXTERNAL_IP, service, port, external.of(ip)));
            }
            for (InetAddress ip : service.loadBalancerIps()) {
                virtualServices.add(new VirtualService(new VirtualAddress(ip, port.port(), port.protocol()),
                        AddressKind.LOAD_BALANCER_IP, service, port, external.of(ip),
                        SourceRanges.of(ip, service.loadBalancerSourceRanges(), settings.nodePortAddresses())));
            }
            if (nodePort) {
                for (InetAddress ip : settings.nodePortAddresses()) {
                    virtualServices.add(new VirtualService(new VirtualAddress(ip, port.nodePort(), port.protocol()),
                            AddressKind.NODE_PORT, service, port, external.of(ip)));
                }
            }
        }
        return new ServiceRoutes(service, virtualServices, pools, all);
    }

    /**
     * The pools of one scope, one per address family, made when an address of that family needs one:
     * as kube-proxy does per family, an IPv4 address is balanced over IPv4 endpoints and an IPv6 one
     * over IPv6 endpoints, and a dual-stack Service with no endpoint of one family refuses that
     * family's connections. A single-stack Service whose endpoints are all of the other family
     * (possible only in manifests) is bridged to them, which a user-space proxy can.
     */
    private final class FamilyPools {
        private final Service service;
        private final ServicePortName spn;
        private final Scope scope;
        private final TrafficPolicy policy;
        private final List<Backend> candidates;
        private final Map<Backend, Endpoint> endpointOf;
        private final ServicePortStats portStats;
        private final List<BackendPool> pools;
        private BackendPool v4;
        private BackendPool v6;

        FamilyPools(Service service, ServicePortName spn, Scope scope, TrafficPolicy policy, List<Backend> candidates,
                    Map<Backend, Endpoint> endpointOf, ServicePortStats portStats, List<BackendPool> pools) {
            this.service = service;
            this.spn = spn;
            this.scope = scope;
            this.policy = policy;
            this.candidates = candidates;
            this.endpointOf = endpointOf;
            this.portStats = portStats;
            this.pools = pools;
        }

        private boolean dualStack() {
            boolean v4 = false;
            boolean v6 = false;
            for (InetAddress a : service.clusterIps()) {
                v6 |= a instanceof java.net.Inet6Address;
                v4 |= !(a instanceof java.net.Inet6Address);
            }
            return v4 && v6;
        }

        BackendPool of(InetAddress ip) {
            boolean six = ip instanceof java.net.Inet6Address;
            BackendPool p = six ? v6 : v4;
            if (p == null) {
                List<Backend> same = new ArrayList<>();
                for (Backend b : candidates) {
                    if ((b.socketAddress().getAddress() instanceof java.net.Inet6Address) == six) {
                        same.add(b);
                    }
                }
                boolean bridge = same.isEmpty() && !dualStack();
                p = pool(service, spn, scope, policy, bridge ? candidates : same, endpointOf, portStats);
                pools.add(p);
                if (six) {
                    v6 = p;
                } else {
                    v4 = p;
                }
            }
            return p;
        }
    }

    /** A pool of the endpoints {@code policy} may use, chosen by {@link EndpointCategories}. */
    private BackendPool pool(Service service, ServicePortName spn, Scope scope, TrafficPolicy policy,
                             List<Backend> candidates, Map<Backend, Endpoint> endpointOf, ServicePortStats portStats) {
        EndpointCategories.Choice<Backend> choice = EndpointCategories.choose(candidates, endpointOf::get, policy, node);
        List<Backend> usable = choice.usable();
        SchedulerConfig config = settings.schedulerConfig().withFlags(service.options().schedulerFlags());
        return new BackendPool(new PoolId(spn, scope), usable,
                Schedulers.create(service.options().scheduler(), usable, config), service.options(),
                service.affinity(), portStats, choice.terminating());
    }
}
