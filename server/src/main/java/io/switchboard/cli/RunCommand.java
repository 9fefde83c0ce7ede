package io.switchboard.cli;

import io.switchboard.server.Switchboard;
import io.switchboard.server.SwitchboardConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Serves the Services of a manifest directory, of the Kubernetes API, or both, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve the Services in a directory or file of Kubernetes manifests, or of a live cluster's"
                + " Kubernetes API, until stopped.")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"--config", "-c"}, description = "Manifest directory or file.")
    Path config;

    @Option(names = "--kubernetes", description = "Watch the Kubernetes API with the in-cluster service account"
            + " (outside a cluster: the usual kubeconfig lookup).")
    boolean kubernetes;

    @Option(names = "--kubeconfig", paramLabel = "PATH", description = "Watch the Kubernetes API of this kubeconfig"
            + " file (its current context).")
    Path kubeconfig;

    @Option(names = "--namespace", paramLabel = "NS", description = "Watch only this namespace (repeatable; default:"
            + " all).")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--resync-period", defaultValue = "0", converter = ProxyOptions.DurationConverter.class,
            description = "How often informers replay their cache; 0 (the default) for never, as a watch already"
                    + " delivers every change.")
    Duration resync;

    @Option(names = "--healthz-bind-address", paramLabel = "HOST:PORT",
            description = "Where /healthz and /livez are served (default: 0.0.0.0:10256 with the Kubernetes API,"
                    + " off otherwise; \"off\" turns it off).")
    String healthz;

    @Option(names = "--health-timeout", defaultValue = "60s", converter = ProxyOptions.DurationConverter.class,
            description = "How long a recorded change may wait for a sync before /healthz fails"
                    + " (default: ${DEFAULT-VALUE}, kube-proxy's twice its 30s sync period).")
    Duration healthTimeout;

    @Option(names = "--drain-timeout", defaultValue = "30s", converter = ProxyOptions.DurationConverter.class,
            description = "On SIGTERM or SIGINT, how long L4 connections, HTTP requests in flight and UDP flows may"
                    + " go on while no new TCP connection is taken (default: ${DEFAULT-VALUE}); a second signal"
                    + " stops at once.")
    Duration drainTimeout;

    @Option(names = "--takeover", description = "If another Switchboard runs with the same admin address, take over"
            + " from it (a rolling update): it hands over the admin and health ports and keeps carrying traffic"
            + " until it is sent SIGTERM, when it drains. Without this flag such a start is refused, since both"
            + " would share every Service port. With this flag or --kubernetes, net.ipv4.tcp_migrate_req is set"
            + " to 1 so that a closing listener's queued connections move to its successor.")
    boolean takeover;

    @Option(names = "--service-cidr", paramLabel = "CIDR", split = ",", description = "Make this block local on the"
            + " node (one `local` route, marked as Switchboard's), so cluster IPs in it reach Switchboard; repeatable."
            + " Removed on a clean stop, reconciled at start.")
    List<String> serviceCidrs = new ArrayList<>();

    @Option(names = "--route-service-addresses", description = "Also make each served cluster, external and"
            + " load-balancer IP outside the service CIDRs local, as a /32 or /128 route.")
    boolean routeServiceAddresses;

    @Option(names = "--admin-actions", description = "Offer the dashboard's state-changing actions on the admin"
            + " address: drain an endpoint (weight 0, no new connection or request goes to it, sticky ones"
            + " included) and flush UDP flows, as POSTs under /api/v1/actions/ that demand the X-Switchboard-Action"
            + " header. Off by default: the dashboard is read-only.")
    boolean adminActions;

    @Mixin
    ProxyOptions options = new ProxyOptions();

    @Mixin
    EtcdOptions etcd = new EtcdOptions();

    @Override
    public Integer call() throws Exception {
        if (config != null || etcd.given()) {
            // Manifests are read as text: their converters are made while the rest starts.
            io.switchboard.kubernetes.DocumentMapper.warmUp();
        }
        boolean api = kubernetes || kubeconfig != null;
        if (config == null && !api && !etcd.given()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "nothing to serve: give --config DIR, --kubernetes, --kubeconfig PATH or --etcd URL");
        }
        SwitchboardConfig c = options.toConfig(config, api).withAdminActions(adminActions);
        if (etcd.given()) {
            c = c.withEtcd(config, etcd.settings(new CommandLine(this)));
        }
        if (api) {
            InetSocketAddress healthzAddress = null;
            String h = healthz == null ? "0.0.0.0:10256" : healthz;
            if (!h.equals("off") && !h.isEmpty()) {
                healthzAddress = new HostPortConverter().convert(h);
            }
            c = c.withKubernetes(config, new SwitchboardConfig.Kubernetes(kubeconfig, namespaces, resync, healthTimeout),
                    healthzAddress);
        } else if (healthz != null && !healthz.equals("off")) {
            c = c.withKubernetes(config, null, new HostPortConverter().convert(healthz));
        }
        // Taken over before starting, so that a stop signal during the start is a stop, not a kill.
        StopSignals signals = StopSignals.install(Thread.currentThread());
        if (takeover || api) {
            // On a node, or in a rolling update: listeners closed by a drain must hand on their queues.
            io.switchboard.node.AcceptQueueMigration.enable();
        }
        List<io.switchboard.model.Cidr> cidrs = new ArrayList<>();
        for (String text : serviceCidrs) {
            try {
                cidrs.add(io.switchboard.kubernetes.IpLiteral.cidr(text.trim()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--service-cidr: " + e.getMessage());
            }
        }
        c = c.withServiceAddresses(new SwitchboardConfig.ServiceAddresses(cidrs, routeServiceAddresses));
        Switchboard sb = Switchboard.start(c, takeover);
        // Whatever else ends the JVM (SIGHUP, an uncaught error) still closes, without a drain.
        Runtime.getRuntime().addShutdownHook(new Thread(sb::close, "switchboard-shutdown"));
        try {
            signals.awaitFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sb.drainAndClose(drainTimeout);
        return 0;
    }
}
