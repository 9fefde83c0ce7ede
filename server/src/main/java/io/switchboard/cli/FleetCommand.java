package io.switchboard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.switchboard.source.etcd.EtcdSettings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code switchboard fleet list}: the instances on one etcd prefix and whether each has caught up. */
@Command(name = "fleet", mixinStandardHelpOptions = true, description = "Show the Switchboards that follow an etcd prefix.",
        subcommands = {FleetCommand.ListMembers.class})
final class FleetCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    FleetCommand() {
    }

    /** One registered instance. */
    record Member(String key, String node, String admin, String version, long pid, long revision, String lastSync) {
    }

    /** {@code switchboard fleet list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every live instance (one whose"
            + " lease has not expired) with the config revision it applied; the latest revision is the newest change"
            + " to a manifest that any instance or etcd shows.")
    static final class ListMembers implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        EtcdOptions etcd = new EtcdOptions();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String fleet = etcd.prefix + EtcdSettings.MEMBERS;
            String fleetKeys = etcd.prefix + EtcdSettings.FLEET;
            try (Client client = EtcdCommand.client(etcd, spec.commandLine())) {
                var all = client.getKVClient().get(EtcdCommand.bytes(etcd.prefix), GetOption.builder().isPrefix(true)
                        .build()).get(30, TimeUnit.SECONDS);
                long latest = 0;
                List<Member> members = new ArrayList<>();
                for (KeyValue kv : all.getKvs()) {
                    String key = kv.getKey().toString(StandardCharsets.UTF_8);
                    if (!key.startsWith(fleetKeys)) {
                        latest = Math.max(latest, kv.getModRevision());
                        continue;
                    }
                    if (!key.startsWith(fleet)) {
                        continue;
                    }
                    JsonNode v = JSON.readTree(kv.getValue().toString(StandardCharsets.UTF_8));
                    members.add(new Member(key.substring(fleet.length()), v.path("node").asText(),
                            v.path("admin").asText(), v.path("version").asText(), v.path("pid").asLong(),
                            v.path("revision").asLong(), v.path("lastSync").asText("")));
                }
                for (Member m : members) {
                    // A delete leaves no key behind; an instance that applied one knows its revision.
                    latest = Math.max(latest, m.revision());
                }
                out.printf("%-20s %-22s %-10s %-8s %-9s %-12s %s%n", "NODE", "ADMIN", "VERSION", "PID", "REVISION",
                        "LAST SYNC", "STATE");
                int caughtUp = 0;
                for (Member m : members) {
                    boolean ok = m.revision() >= latest;
                    caughtUp += ok ? 1 : 0;
                    out.printf("%-20s %-22s %-10s %-8d %-9d %-12s %s%n", m.node(), m.admin(), m.version(), m.pid(),
                            m.revision(), ago(m.lastSync()), ok ? "caught up" : "behind by " + (latest - m.revision())
                                    + " revisions");
                }
                out.printf("%d instances, %d caught up with config revision %d%n", members.size(), caughtUp, latest);
                return 0;
            }
        }

        private static String ago(String instant) {
            if (instant.isEmpty() || instant.equals("null")) {
                return "never";
            }
            Duration d = Duration.between(Instant.parse(instant), Instant.now());
            return Math.max(0, d.toSeconds()) + "s ago";
        }
    }
}
