package io.switchboard.cli;

import io.switchboard.server.SwitchboardConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code run} and {@code demo}. */
final class ProxyOptions {

    @Option(names = "--workers", description = "Event-loop threads (default: the number of cores, ${DEFAULT-VALUE}).",
            defaultValue = "${sys:switchboard.cores}")
    Integer workers;

    @Option(names = "--admin", converter = HostPort.class, defaultValue = "127.0.0.1:9901",
            description = "Admin server address (default: ${DEFAULT-VALUE}).")
    InetSocketAddress admin;

    @Option(names = "--nodeport-addresses", split = ",", defaultValue = "127.0.0.1",
            description = "Addresses node ports are served on (default: ${DEFAULT-VALUE}).")
    List<String> nodePortAddresses;

    @Option(names = "--node-name", description = "This node's name, for Local traffic policies (default: host name).")
    String nodeName;

    @Option(names = "--proxy-name", defaultValue = "switchboard",
            description = "Name in the service.kubernetes.io/service-proxy-name label that this proxy answers to"
                    + " (default: ${DEFAULT-VALUE}).")
    String proxyName;

    @Option(names = "--wildcard-threshold", defaultValue = "64",
            description = "Service addresses on one port bound one by one before a single wildcard socket serves"
                    + " the port (default: ${DEFAULT-VALUE}).")
    int wildcardThreshold;

    @Option(names = "--min-sync-interval", defaultValue = "100", description = "Milliseconds between syncs at least"
            + " (default: ${DEFAULT-VALUE}).")
    long minSyncMillis;

    @Option(names = "--poll-interval", defaultValue = "1000", description = "Milliseconds between syncs at most, the"
            + " fallback when a file watch misses a change (default: ${DEFAULT-VALUE}).")
    long pollMillis;

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

    static {
        System.setProperty("switchboard.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    SwitchboardConfig toConfig(Path config) {
        List<InetAddress> nodePorts = new ArrayList<>();
        for (String a : nodePortAddresses) {
            try {
                nodePorts.add(io.switchboard.kubernetes.IpLiteral.parse(a.trim()));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--nodeport-addresses: " + e.getMessage());
            }
        }
        return new SwitchboardConfig(config, workers, admin, nodePorts,
                nodeName != null ? nodeName : SwitchboardConfig.localHostName(), proxyName,
                Duration.ofMillis(minSyncMillis), Duration.ofMillis(pollMillis), wildcardThreshold, maxAffinityEntries,
                maxUdpFlows, maxConnections);
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
