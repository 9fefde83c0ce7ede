package io.switchboard.cli;

import io.switchboard.node.NodePortAddresses;
import io.switchboard.server.SwitchboardConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options shared by {@code run} and {@code demo}. */
final class ProxyOptions {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyOptions.class);

    @Option(names = "--workers", description = "Event-loop threads (default: the number of cores, ${DEFAULT-VALUE}).",
            defaultValue = "${sys:switchboard.cores}")
    Integer workers;

    @Option(names = "--admin", converter = HostPortConverter.class, defaultValue = "127.0.0.1:9901",
            description = "Admin server address (default: ${DEFAULT-VALUE}).")
    InetSocketAddress admin;

    @Option(names = "--nodeport-addresses", split = ",", paramLabel = "CIDR|primary|IP",
            description = "Where node ports are served, as kube-proxy takes it: CIDRs (every local address inside;"
                    + " 0.0.0.0/0 for all), `primary` (the node's primary address of each family), or IPs"
                    + " (default: every local IPv4 address with --kubernetes, else 127.0.0.1).")
    List<String> nodePortAddresses;

    @Option(names = "--node-name", description = "This node's name, for Local traffic policies and topology hints"
            + " (default: NODE_NAME from the environment, then the host name).")
    String nodeName;

    @Option(names = "--proxy-name", defaultValue = "switchboard",
            description = "Name in the service.kubernetes.io/service-proxy-name label that this proxy answers to"
                    + " (default: ${DEFAULT-VALUE}).")
    String proxyName;

    @Option(names = "--wildcard-threshold", defaultValue = "64",
            description = "Service addresses on one port bound one by one before a single wildcard socket serves"
                    + " the port (default: ${DEFAULT-VALUE}).")
    int wildcardThreshold;

    @Option(names = {"--min-sync-period", "--min-sync-interval"}, defaultValue = "100",
            converter = DurationConverter.class, description = "Least time between syncs, so bursts of changes merge:"
            + " a duration (100ms, 1s) or milliseconds (default: ${DEFAULT-VALUE}).")
    java.time.Duration minSync;

    @Option(names = {"--sync-period", "--poll-interval"}, defaultValue = "1000", converter = DurationConverter.class,
            description = "Most time between syncs, the fallback when a file watch misses a change: a duration or"
                    + " milliseconds (default: ${DEFAULT-VALUE}).")
    java.time.Duration syncPeriod;

    @Option(names = "--max-affinity-entries", defaultValue = "1000000",
            description = "Bound on ClientIP affinity entries (default: ${DEFAULT-VALUE}).")
    long maxAffinityEntries;

    @Option(names = "--udp-max-flows", defaultValue = "8192",
            description = "Bound on UDP flows; each holds a socket, so keep it well under the open-file limit"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxUdpFlows;

    @Option(names = "--max-connections", defaultValue = "0",
            description = "Bound on open client connections over all TCP listeners; at the bound new clients wait"
                    + " in the accept queue, as with HAProxy's maxconn. 0 (the default) derives it from the open-file"
                    + " limit: what is left after --udp-max-flows and a reserve, halved (client and endpoint).")
    int maxConnections;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|io_uring|epoll|nio",
            description = "Netty transport of the data plane: auto (TCP on io_uring, else epoll, else NIO; UDP on epoll),"
                    + " io_uring, epoll or nio (default: ${DEFAULT-VALUE}).")
    String transport;

    private io.switchboard.dataplane.Transports transport() {
        try {
            return io.switchboard.dataplane.Transports.select(transport);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--transport: " + e.getMessage());
        }
    }

    static {
        System.setProperty("switchboard.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    SwitchboardConfig toConfig(Path config) {
        return toConfig(config, false);
    }

    /** The configuration; {@code cluster} when serving a cluster's Services (node ports then default to every address). */
    SwitchboardConfig toConfig(Path config, boolean cluster) {
        List<String> entries = nodePortAddresses != null ? nodePortAddresses
                : List.of(cluster ? "0.0.0.0/0" : "127.0.0.1");
        List<InetAddress> nodePorts;
        try {
            nodePorts = NodePortAddresses.resolve(entries, NodePortAddresses.SYSTEM);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--nodeport-addresses: " + e.getMessage());
        }
        if (cluster && !nodePorts.isEmpty() && nodePorts.stream().allMatch(InetAddress::isLoopbackAddress)) {
            LOG.atWarn().addKeyValue("addresses", nodePorts).log("--nodeport-addresses gives only loopback addresses:"
                    + " no other node or load balancer can reach this node's node ports");
        }
        String env = System.getenv("NODE_NAME");
        String node = nodeName != null ? nodeName
                : env != null && !env.isEmpty() ? env : SwitchboardConfig.localHostName();
        return new SwitchboardConfig(config, workers, admin, nodePorts, node, proxyName, minSync, syncPeriod,
                wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, null, null,
                SwitchboardConfig.ServiceAddresses.NONE, null, transport(), false);
    }

    /** A Go-style duration ({@code 100ms}, {@code 1s}, {@code 1m30s}) or a number of milliseconds. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.matches("\\d+")) {
                return Duration.ofMillis(Long.parseLong(value));
            }
            try {
                return io.switchboard.kubernetes.GoDuration.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected a duration such as 100ms or 1s, got \""
                        + value + "\"");
            }
        }
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
