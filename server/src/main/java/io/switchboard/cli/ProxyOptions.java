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
        String env = System.getenv("NODE_NAME");
        String node = nodeName != null ? nodeName
                : env != null && !env.isEmpty() ? env : SwitchboardConfig.localHostName();
        return new SwitchboardConfig(config, workers, admin, nodePorts, node, proxyName, minSync, syncPeriod,
                wildcardThreshold, maxAffinityEntries, maxUdpFlows, maxConnections, null, null,
                SwitchboardConfig.ServiceAddresses.NONE);
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
