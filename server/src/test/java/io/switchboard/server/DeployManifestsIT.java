package io.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.switchboard.cli.Main;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The shipped manifests in {@code deploy/kubernetes/}: they parse as Kubernetes objects, the DaemonSet
 * runs the proxy as a node proxy must, its flags are flags the command line accepts, and the
 * ClusterRole grants exactly the resources and verbs the informers use, as recorded by the mock API
 * server (fabric8's, in CRUD mode) while a Switchboard lists and watches it.
 */
class DeployManifestsIT {

    private static final Path MANIFEST = Path.of("..", "deploy", "kubernetes", "switchboard.yaml");

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<HasMetadata> of = objects.stream().filter(type::isInstance).toList();
        assertThat(of).as("one " + type.getSimpleName()).hasSize(1);
        return (T) of.get(0);
    }

    private static List<HasMetadata> objects(MockApi api) throws Exception {
        try (InputStream in = Files.newInputStream(MANIFEST)) {
            return api.client().load(in).items();
        }
    }

    @Test
    void theDaemonSetRunsOnTheHostNetworkWithFlagsTheCommandLineAccepts() throws Exception {
        try (MockApi api = new MockApi()) {
            List<HasMetadata> objects = objects(api);
            DaemonSet ds = only(objects, DaemonSet.class);
            ServiceAccount sa = only(objects, ServiceAccount.class);
            ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
            PodSpec pod = ds.getSpec().getTemplate().getSpec();
            assertThat(pod.getHostNetwork()).isTrue();
            assertThat(pod.getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
                assertThat(s.getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
            });
            assertThat(binding.getRoleRef().getName()).isEqualTo(only(objects, ClusterRole.class).getMetadata().getName());
            assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
            assertThat(pod.getTolerations()).anySatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
            var c = pod.getContainers().get(0);
            assertThat(c.getSecurityContext().getCapabilities().getAdd()).contains("NET_ADMIN");
            assertThat(c.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("NODE_NAME");
                assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
            });

            // The flags file the DaemonSet mounts, parsed by the real command line.
            ConfigMap flags = only(objects, ConfigMap.class);
            assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap().getName())
                    .isEqualTo(flags.getMetadata().getName()));
            Path file = dir.resolve("flags");
            Files.writeString(file, flags.getData().get("flags"));
            List<String> args = c.getArgs().stream().map(a -> a.replace("/etc/switchboard/flags", file.toString()))
                    .toList();
            CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args.toArray(String[]::new));
            CommandLine.ParseResult run = parsed.subcommand();
            assertThat(run.commandSpec().name()).isEqualTo("run");
            assertThat(run.hasMatchedOption("--kubernetes")).isTrue();
            String admin = run.matchedOptionValue("--admin", null).toString();
            String healthz = run.matchedOptionValue("--healthz-bind-address", "");
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
            assertThat(admin).endsWith(":" + c.getReadinessProbe().getHttpGet().getPort().getIntVal());
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
            assertThat(healthz).endsWith(":" + c.getLivenessProbe().getHttpGet().getPort().getIntVal());

            // A rolling update: the new pod takes over beside the old one, which drains within its grace period.
            var rolling = ds.getSpec().getUpdateStrategy().getRollingUpdate();
            assertThat(rolling.getMaxSurge().getIntVal()).isEqualTo(1);
            assertThat(rolling.getMaxUnavailable().getIntVal()).isZero();
            assertThat(run.hasMatchedOption("--takeover")).isTrue();
            java.time.Duration drain = run.matchedOptionValue("--drain-timeout", java.time.Duration.ofSeconds(30));
            assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(drain.toSeconds());

            // Service addresses are made local (the default cluster service CIDR, and each served address).
            assertThat(run.matchedOptionValue("--service-cidr", List.of())).asList().contains("10.96.0.0/12");
            assertThat(run.hasMatchedOption("--route-service-addresses")).isTrue();
        }
    }

    @Test
    void theClusterRoleGrantsExactlyWhatTheInformersUse() throws Exception {
        try (MockApi api = new MockApi()) {
            api.node("node-1", Map.of(), null);
            api.client().resource(MockApi.service("shop", "web", "127.0.8.40", 18188)).create();
            KubernetesMockServer server = api.server();
            int before = server.getRequestCount();
            for (int i = 0; i < before; i++) {
                server.takeRequest();
            }
            try (Switchboard sb = Switchboard.start(api.config(dir, "node-1"))) {
                assertThat(sb.awaitFirstSync(Duration.ofSeconds(20))).isTrue();
                api.client().resource(MockApi.slice("shop", "web-1", "web", 19190, List.of(MockApi.Ep.ready("127.0.7.1"))))
                        .create();
                await().atMost(Duration.ofSeconds(10)).until(() -> !sb.table().services().isEmpty()
                        && !sb.table().services().values().iterator().next().allBackends().isEmpty());
            }
            Set<String> used = new TreeSet<>();
            for (var r = server.takeRequest(1, TimeUnit.SECONDS); r != null; r = server.takeRequest(100, TimeUnit.MILLISECONDS)) {
                String path = r.getPath();
                // The test's own client only writes (POST) once Switchboard runs: every GET is Switchboard's.
                String verb = verb(r.getMethod(), path);
                if (verb != null) {
                    used.add(resource(path) + ":" + verb);
                }
            }
            Set<String> granted = new TreeSet<>();
            for (PolicyRule rule : only(objects(api), ClusterRole.class).getRules()) {
                for (String group : rule.getApiGroups()) {
                    for (String res : rule.getResources()) {
                        for (String verb : rule.getVerbs()) {
                            granted.add((group.isEmpty() ? "" : group + "/") + res + ":" + verb);
                        }
                    }
                }
            }
            assertThat(used).as("what the informers asked for").isEqualTo(granted);
        }
    }

    /** RBAC's verb for a GET: watch with {@code watch=true}, list for a collection, get for one object. */
    private static String verb(String method, String path) {
        if (!method.equals("GET")) {
            return null;
        }
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (path.contains("watch=true")) {
            return "watch";
        }
        String[] parts = p.split("/");
        // /api/v1/RESOURCE, /api/v1/namespaces/NS/RESOURCE, /apis/GROUP/VERSION/RESOURCE[/NAME] ...
        int base = p.startsWith("/apis/") ? 4 : 3;
        int rest = parts.length - base;
        boolean namespaced = parts.length > base && parts[base].equals("namespaces") && rest >= 3;
        int after = namespaced ? rest - 3 : rest - 1;
        return after == 0 ? "list" : "get";
    }

    /** {@code group/resource} (or {@code resource} for the core group) of an API path. */
    private static String resource(String path) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String[] parts = p.split("/");
        int base = p.startsWith("/apis/") ? 4 : 3;
        String group = p.startsWith("/apis/") ? parts[2] + "/" : "";
        boolean namespaced = parts[base].equals("namespaces") && parts.length > base + 2;
        return group + (namespaced ? parts[base + 2] : parts[base]);
    }
}
