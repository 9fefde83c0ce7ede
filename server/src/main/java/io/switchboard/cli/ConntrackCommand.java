package io.switchboard.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.switchboard.admin.AdminServer;
import io.switchboard.dataplane.udp.FlowView;
import io.switchboard.model.HostPort;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Lists or flushes UDP flows of a running instance, like {@code conntrack -L} and {@code conntrack -D}. */
@Command(name = "conntrack", mixinStandardHelpOptions = true,
        description = "List or flush the UDP flows of a running Switchboard, like conntrack -L / -D.",
        subcommands = {ConntrackCommand.ListFlows.class, ConntrackCommand.Flush.class})
final class ConntrackCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options both subcommands take. */
    static final class Target {
        @Option(names = "--admin", converter = HostPortConverter.class, defaultValue = "127.0.0.1:9901",
                description = "Admin address of the running instance (default: ${DEFAULT-VALUE}).")
        InetSocketAddress admin;

        @Option(names = "--service", description = "Only flows of this Service (NAMESPACE/NAME).")
        String service;

        URI uri(String path, String endpoint) {
            StringBuilder q = new StringBuilder();
            if (service != null) {
                q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
            }
            if (endpoint != null) {
                q.append(q.length() > 0 ? "&" : "").append("endpoint=")
                        .append(URLEncoder.encode(endpoint, StandardCharsets.UTF_8));
            }
            return URI.create("http://" + HostPort.of(admin.getHostString(), admin.getPort()) + path
                    + (q.length() > 0 ? "?" + q : ""));
        }

        HttpResponse<byte[]> send(HttpRequest request) throws Exception {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List UDP flows.")
    static final class ListFlows implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Target target = new Target();

        @Override
        public Integer call() throws Exception {
            URI uri = target.uri("/api/v1/conntrack", null);
            HttpResponse<byte[]> resp;
            try {
                resp = target.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build());
            } catch (java.io.IOException e) {
                System.err.println("cannot reach Switchboard's admin server at " + uri + ": " + e.getMessage());
                return 2;
            }
            if (resp.statusCode() != 200) {
                System.err.println(uri + " answered " + resp.statusCode());
                return 2;
            }
            List<FlowView> flows = AdminServer.JSON.readValue(resp.body(), new TypeReference<>() { });
            for (FlowView f : flows) {
                System.out.printf("udp %s src=%s dst=%s endpoint=%s age=%.0fs timeout=%.0fs "
                                + "packets=%d bytes=%d reply_packets=%d reply_bytes=%d [%s]%n",
                        f.service(), f.client(), f.serviceAddress(), f.endpoint(), f.ageSeconds(),
                        f.expiresInSeconds(), f.packetsOriginal(), f.bytesOriginal(), f.packetsReply(),
                        f.bytesReply(), f.state());
            }
            System.err.println(flows.size() + " flow entries");
            return 0;
        }
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
            description = "Remove UDP flows (all, or of a Service, or to an endpoint); their next datagram is"
                    + " scheduled afresh.")
    static final class Flush implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--endpoint", description = "Only flows to this endpoint IP.")
        String endpoint;

        @Override
        public Integer call() throws Exception {
            URI uri = target.uri("/api/v1/conntrack/flush", endpoint);
            HttpResponse<byte[]> resp;
            try {
                resp = target.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .header(io.switchboard.admin.AdminRequestGuard.ACTION_HEADER, "flush")
                        .POST(HttpRequest.BodyPublishers.noBody()).build());
            } catch (java.io.IOException e) {
                System.err.println("cannot reach Switchboard's admin server at " + uri + ": " + e.getMessage());
                return 2;
            }
            if (resp.statusCode() != 200) {
                System.err.println(uri + " answered " + resp.statusCode());
                return 2;
            }
            Map<String, Integer> result = AdminServer.JSON.readValue(resp.body(), new TypeReference<>() { });
            System.out.println(result.get("flushed") + " flow entries flushed");
            return 0;
        }
    }
}
