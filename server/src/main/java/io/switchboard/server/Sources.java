package io.switchboard.server;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.switchboard.healthcheck.ProxyHealth;
import io.switchboard.healthcheck.ProxyHealthServer;
import io.switchboard.healthcheck.ServiceHealthServers;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.model.HostPort;
import io.switchboard.node.LocalRoutes;
import io.switchboard.source.etcd.EtcdSource;
import io.switchboard.source.etcd.FleetMember;
import io.switchboard.source.etcd.SharedLoad;
import java.net.InetSocketAddress;
import io.switchboard.source.kubernetes.KubernetesSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Set;

/**
 * Wires what a configuration asks for beyond the manifest directory: the Kubernetes API source with
 * its client, the etcd source, local routes for Service addresses, and kube-proxy's health servers (the proxy's {@code /healthz} and the Services'
 * health-check node ports), all fed by the sync loop.
 */
final class Sources {

    private Sources() {
    }

    static void addConfigured(Switchboard sb, SwitchboardConfig config, ResourceMapper mapper) throws IOException {
        SwitchboardConfig.Kubernetes k = config.kubernetes();
        ProxyHealth health = new ProxyHealth(k != null ? k.healthTimeout() : config.pollInterval().multipliedBy(60),
                Instant::now);
        if (k != null) {
            KubernetesClient client = client(k);
            sb.closeWith(client);
            KubernetesSource source = new KubernetesSource(client, new KubernetesSource.Settings(k.namespaces(),
                    config.nodeName(), k.resync()), mapper, sb.store());
            source.metrics().collectors().forEach(sb.admin().registry()::register);
            sb.addSource(source);
        }
        if (config.etcd() != null) {
            EtcdSource source = new EtcdSource(config.etcd(), mapper, sb.store());
            source.metrics().collectors().forEach(sb.admin().registry()::register);
            sb.addSource(source);
            io.switchboard.source.etcd.FleetRoster roster = io.switchboard.source.etcd.FleetRoster.of(config.etcd(), source);
            sb.fleetFrom(() -> roster.members().stream().map(m -> new io.switchboard.admin.ProxyState.FleetMemberState(
                    m.id(), m.node(), m.admin(), m.version(), m.pid(), m.revision(), m.lastSync(), m.behind())).toList());
            FleetMember member = new FleetMember(config.etcd(), () -> {
                InetSocketAddress admin = sb.adminAddress();
                return new FleetMember.Identity(config.nodeName(), HostPort.of(admin),
                        Version.current(), ProcessHandle.current().pid());
            }, source, config.etcd().fleetTtl());
            SharedLoad shared = new SharedLoad(config.etcd(), member, source, sb::table,
                    config.etcd().sharedLoadInterval());
            shared.collectors().forEach(sb.admin().registry()::register);
            shared.start();
            // Closed before the member, whose lease revocation then deletes the load keys too.
            sb.closeWith(shared);
            sb.closeWith(member);
            sb.addListener((table, changed, node, ready, started) -> {
                member.synced(Instant.now());
                shared.applyAll();
            });
        }
        SwitchboardConfig.ServiceAddresses addresses = config.serviceAddresses();
        if (!addresses.isEmpty()) {
            LocalRoutes routes = new LocalRoutes(addresses.cidrs(), addresses.perAddress());
            sb.addListener((table, changed, node, ready, started) -> {
                // After a handover the successor owns the routes; two reconcilers of one set would fight.
                if (!sb.instance().handedOver()) {
                    routes.sync(table, ready);
                }
            });
            sb.closeWith(() -> {
                // A successor serves the same addresses: removing them would cut its traffic.
                if (!sb.instance().handedOver()) {
                    routes.removeAll();
                }
            });
        }
        ServiceHealthServers services = new ServiceHealthServers(config.nodePortAddresses(), health);
        sb.releaseOnHandover("health-check node ports", services);
        if (config.healthz() != null) {
            ProxyHealthServer server;
            try {
                server = new ProxyHealthServer(config.healthz(), health);
            } catch (IOException e) {
                throw new IOException("--healthz-bind-address "
                        + HostPort.of(config.healthz().getHostString(), config.healthz().getPort()) + ": "
                        + e.getMessage(), e);
            }
            sb.healthz(server.address());
            sb.releaseOnHandover("healthz " + server.address(), server);
        }
        sb.addListener(new Switchboard.SyncListener() {
            @Override
            public void synced(io.switchboard.routing.RoutingTable table, Set<io.switchboard.model.ServiceId> changed,
                               io.switchboard.model.NodeInfo node, boolean ready, Instant started) {
                if (ready) {
                    health.updated(started);
                }
                health.nodeEligible(node.eligible());
                services.sync(table, changed, node);
            }

            @Override
            public void queued() {
                health.queued();
            }
        });
    }

    /** A client from a kubeconfig file, or from the in-cluster service account (or the usual lookup). */
    private static KubernetesClient client(SwitchboardConfig.Kubernetes k) throws IOException {
        Config c;
        if (k.kubeconfig() != null) {
            String text;
            try {
                text = Files.readString(k.kubeconfig(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("--kubeconfig " + k.kubeconfig() + ": cannot read: " + e.getMessage(), e);
            }
            try {
                c = Config.fromKubeconfig(text);
            } catch (RuntimeException e) {
                throw new IOException("--kubeconfig " + k.kubeconfig() + ": " + e.getMessage(), e);
            }
        } else {
            c = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(c).build();
    }
}
