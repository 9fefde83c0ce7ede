package io.switchboard.cli;

import io.switchboard.admin.AdminServer;
import io.switchboard.admin.RoutingView;
import io.switchboard.dataplane.http.HttpProtocol;
import io.switchboard.model.HostPort;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints the routing table of a running instance, like {@code ipvsadm -ln}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Print the routing table of a running Switchboard, like ipvsadm -ln.")
final class ListCommand implements Callable<Integer> {

    @Option(names = "--admin", converter = HostPortConverter.class, defaultValue = "127.0.0.1:9901",
            description = "Admin address of the running instance (default: ${DEFAULT-VALUE}).")
    InetSocketAddress admin;

    @Override
    public Integer call() throws Exception {
        URI uri = URI.create("http://" + HostPort.of(admin.getHostString(), admin.getPort()) + "/api/v1/routes");
        HttpResponse<byte[]> resp;
        try {
            resp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            System.err.println("cannot reach Switchboard's admin server at " + uri + ": " + e.getMessage());
            return 2;
        }
        if (resp.statusCode() != 200) {
            System.err.println(uri + " answered " + resp.statusCode());
            return 2;
        }
        print(AdminServer.JSON.readValue(resp.body(), RoutingView.TableView.class), System.out);
        return 0;
    }

    static void print(RoutingView.TableView t, PrintStream out) {
        out.printf("Switchboard routing table (version %d, %d addresses)%n", t.version(), t.routes().size());
        out.println("Prot LocalAddress:Port Scheduler Flags");
        out.printf("  -> %-28s %-6s %-10s %-9s %s%n", "RemoteAddress:Port", "Weight", "ActiveConn", "InActConn",
                "State");
        for (RoutingView.RouteView r : t.routes()) {
            StringBuilder flags = new StringBuilder();
            if (!r.flags().isEmpty()) {
                flags.append(String.join(",", r.flags())).append(' ');
            }
            if (r.clientIpAffinity()) {
                flags.append("persistent ").append(r.affinityTimeoutSeconds()).append(' ');
            }
            boolean l7 = HttpProtocol.of(r.appProtocol()) != null;
            if (l7) {
                flags.append("l7=").append(r.appProtocol()).append(' ');
            }
            out.printf("%-4s %s %s %s(%s %s:%s)%n", r.protocol(), r.address(), r.scheduler(), flags, r.kind(),
                    r.service(), r.port().isEmpty() ? "-" : r.port());
            if (l7) {
                // Requests, not connections, are what an HTTP port balances.
                out.printf("  -> %-28s %-6s %-10s %-9s %s%n", "RemoteAddress:Port", "Weight", "InFlight", "Requests",
                        "State");
            }
            for (RoutingView.EndpointView e : r.endpoints()) {
                out.printf("  -> %-28s %-6d %-10d %-9d %s%n", e.address(), e.weight(),
                        l7 ? e.requestsInFlight() : e.active(), l7 ? e.requests() : e.inactive(), e.state());
            }
        }
        for (String e : t.errors()) {
            out.println("config error: " + e);
        }
        for (RoutingView.ListenerView l : t.listeners()) {
            if (l.error() != null) {
                out.println("listener error: " + l.address() + ": " + l.error());
            }
        }
    }
}
