package io.switchboard.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.ClusterSnapshot;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Protocol;
import io.switchboard.model.Service;
import io.switchboard.model.ServiceId;
import io.switchboard.model.ServiceType;
import io.switchboard.model.TrafficPolicy;
import io.switchboard.scheduler.Algorithm;
import io.switchboard.scheduler.SchedulerFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {

    @TempDir
    Path dir;

    private final ResourceMapper mapper = new ResourceMapper("switchboard");

    private static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
              annotations:
                switchboard.io/scheduler: wrr
                switchboard.io/scheduler-flags: sh-fallback
                switchboard.io/endpoint-weights: "10.0.0.1=3, web-b=0"
                switchboard.io/health-check: tcp
                switchboard.io/health-check-interval: 2s
            spec:
              type: NodePort
              clusterIP: 127.0.0.10
              externalIPs: [127.0.0.20]
              externalTrafficPolicy: Local
              sessionAffinity: ClientIP
              sessionAffinityConfig:
                clientIP:
                  timeoutSeconds: 60
              ports:
              - name: http
                port: 80
                targetPort: http
                nodePort: 30080
              - name: dns
                protocol: UDP
                port: 53
            status:
              loadBalancer:
                ingress:
                - ip: 127.0.0.30
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc
              namespace: shop
              labels:
                kubernetes.io/service-name: web
            addressType: IPv4
            ports:
            - name: http
              port: 8080
            endpoints:
            - addresses: [10.0.0.1]
              conditions: {ready: true}
              nodeName: node-a
              targetRef: {kind: Pod, name: web-a}
            - addresses: [10.0.0.2]
              conditions: {ready: false, serving: true, terminating: true}
            """;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        // Force a different timestamp so the cache sees the change even within one clock tick.
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().plusSeconds(counter++)));
        return p;
    }

    @Test
    void loadBalancerSourceRangesAreReadAndProxyModeIngressIsNotServedHere() throws IOException {
        write("lb.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: lb}
                spec:
                  type: LoadBalancer
                  clusterIP: 127.0.0.40
                  loadBalancerSourceRanges: [" 192.0.2.0/24", "2001:db8::/32"]
                  ports:
                  - port: 80
                    nodePort: 30090
                status:
                  loadBalancer:
                    ingress:
                    - ip: 127.0.0.41
                    - ip: 127.0.0.42
                      ipMode: Proxy
                    - ip: 127.0.0.43
                      ipMode: VIP
                    - hostname: lb.example
                """);
        ManifestLoader.LoadResult r = new ManifestLoader(dir, mapper).load();
        assertThat(r.errors()).isEmpty();
        Service lb = r.snapshot().services().get(new ServiceId("default", "lb"));
        assertThat(lb.loadBalancerIps()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.41", "127.0.0.43");
        assertThat(lb.loadBalancerSourceRanges()).hasToString("[192.0.2.0/24, 2001:db8:0:0:0:0:0:0/32]");
    }

    @Test
    void aBadSourceRangeOrIpModeNamesItsFieldAndKeepsTheLastGoodService() throws IOException {
        String good = """
                apiVersion: v1
                kind: Service
                metadata: {name: lb}
                spec:
                  type: LoadBalancer
                  clusterIP: 127.0.0.40
                  loadBalancerSourceRanges: [%s]
                  ports:
                  - port: 80
                    nodePort: 30090
                status:
                  loadBalancer:
                    ingress:
                    - ip: 127.0.0.41
                      ipMode: %s
                """;
        Path f = write("lb.yaml", good.formatted("10.0.0.0/8", "VIP"));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        Service before = loader.load().snapshot().services().get(new ServiceId("default", "lb"));
        write("lb.yaml", good.formatted("10.0.0.0/33", "Tunnel"));
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).extracting(Object::toString).containsExactlyInAnyOrder(
                f + ":7: Service default/lb: spec.loadBalancerSourceRanges[0]: \"10.0.0.0/33\" is not a CIDR:"
                        + " prefix length 33 is out of 0-32",
                f + ":15: Service default/lb: status.loadBalancer.ingress[0].ipMode: expected VIP or Proxy, got \"Tunnel\"");
        assertThat(r.snapshot().services().get(new ServiceId("default", "lb"))).isSameAs(before);
    }

    private int counter;

    @Test
    void mapsServicesSlicesAndAnnotations() throws IOException {
        write("web.yaml", WEB);
        ManifestLoader.LoadResult r = new ManifestLoader(dir, mapper).load();
        assertThat(r.errors()).isEmpty();
        Service web = r.snapshot().services().get(new ServiceId("shop", "web"));
        assertThat(web.type()).isEqualTo(ServiceType.NODE_PORT);
        assertThat(web.clusterIps()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.10");
        assertThat(web.externalIps()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.20");
        assertThat(web.loadBalancerIps()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.30");
        assertThat(web.externalTrafficPolicy()).isEqualTo(TrafficPolicy.LOCAL);
        assertThat(web.affinity().timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(web.ports()).hasSize(2);
        assertThat(web.ports().get(0).targetPort().name()).isEqualTo("http");
        assertThat(web.ports().get(0).nodePort()).isEqualTo(30080);
        assertThat(web.ports().get(1).protocol()).isEqualTo(Protocol.UDP);
        assertThat(web.ports().get(1).targetPort().number()).isEqualTo(53);
        assertThat(web.options().scheduler()).isEqualTo(Algorithm.WRR);
        assertThat(web.options().schedulerFlags()).containsExactly(SchedulerFlag.SH_FALLBACK);
        assertThat(web.options().weightOf("10.0.0.1", null)).isEqualTo(3);
        assertThat(web.options().weightOf("10.0.0.9", "web-b")).isZero();
        assertThat(web.options().healthCheck()).hasValueSatisfying(h ->
                assertThat(h.interval()).isEqualTo(Duration.ofSeconds(2)));
        List<EndpointSlice> slices = r.snapshot().endpointsOf(web.id());
        assertThat(slices).singleElement().satisfies(s -> {
            assertThat(s.endpoints()).hasSize(2);
            assertThat(s.endpoints().get(0).targetName()).isEqualTo("web-a");
            assertThat(s.endpoints().get(1).conditions().terminating()).isTrue();
        });
    }

    @Test
    void expandsListsAndUsesLegacyEndpointsOnlyWithoutSlices() throws IOException {
        write("list.json", """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"},
                   "spec": {"clusterIP": "127.0.0.11", "ports": [{"port": 80}]}},
                  {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "a"},
                   "subsets": [{"addresses": [{"ip": "10.1.0.1"}], "notReadyAddresses": [{"ip": "10.1.0.2"}],
                                "ports": [{"port": 9090}]}]}
                ]}
                """);
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        ClusterSnapshot snap = loader.load().snapshot();
        List<EndpointSlice> slices = snap.endpointsOf(new ServiceId("default", "a"));
        assertThat(slices).singleElement().satisfies(s -> {
            assertThat(s.legacy()).isTrue();
            assertThat(s.endpoints()).hasSize(2);
            assertThat(s.endpoints().get(1).conditions().ready()).isFalse();
        });
        write("slice.yaml", """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: a-1, labels: {kubernetes.io/service-name: a}}
                addressType: IPv4
                ports: [{port: 9191}]
                endpoints: [{addresses: [10.1.0.3]}]
                """);
        assertThat(loader.load().snapshot().endpointsOf(new ServiceId("default", "a")))
                .singleElement().satisfies(s -> assertThat(s.legacy()).isFalse());
    }

    @Test
    void ignoresHeadlessExternalNameAndOtherProxiesServices() throws IOException {
        write("ignored.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: headless}
                spec: {clusterIP: None, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: alias}
                spec: {type: ExternalName, externalName: example.com}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: theirs, labels: {service.kubernetes.io/service-proxy-name: other}}
                spec: {clusterIP: 127.0.0.12, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: ours, labels: {service.kubernetes.io/service-proxy-name: switchboard}}
                spec: {clusterIP: 127.0.0.13, ports: [{port: 80}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}}}
                """);
        ManifestLoader.LoadResult r = new ManifestLoader(dir, mapper).load();
        assertThat(r.errors()).isEmpty();
        assertThat(r.snapshot().services().keySet()).containsExactly(new ServiceId("default", "ours"));
        assertThat(r.notes()).hasSize(4).anySatisfy(n -> assertThat(n).contains("Deployment default/web: ignored"));
    }

    @Test
    void errorsNameFileLineObjectAndField() throws IOException {
        Path f = write("bad.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  clusterIP: 127.0.0.10
                  ports:
                  - name: http
                    port: 70000
                ---
                apiVersion: v1
                kind: Servce
                metadata: {name: typo}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: noted
                  annotations: {switchboard.io/schedular: rr, switchboard.io/scheduler: fastest}
                spec: {clusterIP: 127.0.0.11, ports: [{port: 80, targetPort: "not a name"}]}
                """);
        List<String> errors = new ManifestLoader(dir, mapper).load().errors().stream().map(Object::toString).toList();
        assertThat(errors).contains(
                f + ":9: Service default/web: spec.ports[0].port: must be between 1 and 65535, got 70000");
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(f + ":12: Servce default/typo: kind: unknown kind"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(f + ":19: Service default/noted: "
                + "metadata.annotations[switchboard.io/schedular]: unknown annotation"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(f + ":19: Service default/noted: "
                + "metadata.annotations[switchboard.io/scheduler]: unknown scheduler \"fastest\""));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(f + ":20: Service default/noted: "
                + "spec.ports[0].targetPort: must be a port number or a port name"));
    }

    @Test
    void aBrokenFileKeepsItsLastGoodObjects() throws IOException {
        Path f = write("web.yaml", WEB);
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        Service before = loader.load().snapshot().services().get(new ServiceId("shop", "web"));
        write("web.yaml", WEB + "\n  : : [unbalanced\n");
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(f);
            assertThat(e.line()).isGreaterThan(40);
            assertThat(e.message()).startsWith("invalid YAML");
        });
        assertThat(r.snapshot().services().get(new ServiceId("shop", "web"))).isSameAs(before);
        assertThat(r.snapshot().endpointsOf(new ServiceId("shop", "web"))).hasSize(1);
    }

    @Test
    void anInvalidObjectKeepsItsLastGoodVersionWhileOthersUpdate() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80));
        write("b.yaml", service("b", "127.0.0.22", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        loader.load();
        write("a.yaml", service("a", "127.0.0.21", 0));
        write("b.yaml", service("b", "127.0.0.23", 80));
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).hasSize(1);
        assertThat(r.snapshot().services().get(new ServiceId("default", "a")).ports().get(0).port()).isEqualTo(80);
        assertThat(r.snapshot().services().get(new ServiceId("default", "b")).clusterIps().get(0).getHostAddress())
                .isEqualTo("127.0.0.23");
    }

    @Test
    void aNewServiceCannotTakeAnAddressAnotherServes() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        loader.load();
        Path b = write("b.yaml", service("b", "127.0.0.21", 80));
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).singleElement().hasToString(b + ":7: Service default/b: spec.ports[0].port: "
                + "127.0.0.21:80/TCP is already served by Service default/a (first by namespace/name)");
        assertThat(r.snapshot().services()).containsOnlyKeys(new ServiceId("default", "a"));
    }

    @Test
    void aRefusedServiceGetsTheAddressOnceItsHolderLeaves() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        loader.load();
        write("b.yaml", service("b", "127.0.0.21", 80));
        assertThat(loader.load().snapshot().services()).containsOnlyKeys(new ServiceId("default", "a"));
        Files.delete(dir.resolve("a.yaml"));
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).isEmpty();
        assertThat(r.snapshot().services()).containsOnlyKeys(new ServiceId("default", "b"));
    }

    @Test
    void aServiceMovedOntoATakenAddressKeepsItsOldVersionUntilTheAddressIsFree() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80));
        write("b.yaml", service("b", "127.0.0.22", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        loader.load();
        write("b.yaml", service("b", "127.0.0.21", 80));
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).hasSize(1);
        assertThat(r.snapshot().services().get(new ServiceId("default", "b")).clusterIps().get(0).getHostAddress())
                .isEqualTo("127.0.0.22");
        write("a.yaml", service("a", "127.0.0.23", 80));
        r = loader.load();
        assertThat(r.errors()).isEmpty();
        assertThat(r.snapshot().services().get(new ServiceId("default", "b")).clusterIps().get(0).getHostAddress())
                .isEqualTo("127.0.0.21");
    }

    @Test
    void aLoadThatFindsNothingChangedReturnsThePreviousResult() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80));
        write("b.yaml", service("b", "127.0.0.21", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        ManifestLoader.LoadResult first = loader.load();
        assertThat(first.errors()).hasSize(1);
        assertThat(loader.load()).as("even with a refused Service retried").isSameAs(first);
    }

    @Test
    void anObjectDefinedTwiceIsTakenFromTheFirstFile() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80));
        Path b = write("b.yaml", service("a", "127.0.0.22", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(b);
            assertThat(e.message()).startsWith("duplicate: already defined at " + dir.resolve("a.yaml") + ":1");
        });
        assertThat(r.snapshot().services().get(new ServiceId("default", "a")).clusterIps().get(0).getHostAddress())
                .isEqualTo("127.0.0.21");
        Files.delete(dir.resolve("a.yaml"));
        r = loader.load();
        assertThat(r.errors()).isEmpty();
        assertThat(r.snapshot().services().get(new ServiceId("default", "a")).clusterIps().get(0).getHostAddress())
                .isEqualTo("127.0.0.22");
    }

    @Test
    void aNamedTargetPortMustNameAnEndpointPort() throws IOException {
        Path f = write("svc.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  clusterIP: 127.0.0.10
                  ports:
                  - name: web
                    port: 80
                    targetPort: http
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: metrics, port: 9090}]
                endpoints: [{addresses: [10.0.0.1]}]
                """);
        ManifestLoader.LoadResult r = new ManifestLoader(dir, mapper).load();
        assertThat(r.errors()).singleElement().hasToString(f + ":9: Service default/web: spec.ports[0].targetPort: "
                + "\"http\" names no port of the Service's endpoints (ports: metrics=9090)");
        assertThat(r.snapshot().services()).isEmpty();
    }

    @Test
    void unchangedFilesAreNotReadAgain() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        Service first = loader.load().snapshot().services().get(new ServiceId("default", "a"));
        write("b.yaml", service("b", "127.0.0.22", 80));
        assertThat(loader.load().snapshot().services().get(new ServiceId("default", "a"))).isSameAs(first);
        Files.delete(dir.resolve("b.yaml"));
        assertThat(loader.load().snapshot().services()).containsOnlyKeys(new ServiceId("default", "a"));
    }

    @Test
    void aMissingDirectoryIsAnErrorNotACrash() {
        ManifestLoader.LoadResult r = new ManifestLoader(dir.resolve("nope"), mapper).load();
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("no such"));
        assertThat(r.snapshot().services()).isEmpty();
    }

    @Test
    void pathsNamedLikeManifestsThatAreNotFilesAreSkippedWithANote() throws Exception {
        write("a.yaml", service("a", "127.0.0.21", 80));
        Files.createDirectory(dir.resolve("dir.yaml"));
        Files.createSymbolicLink(dir.resolve("gone.yaml"), dir.resolve("missing.yaml"));
        Files.createSymbolicLink(dir.resolve("loop1.yaml"), dir.resolve("loop2.yaml"));
        Files.createSymbolicLink(dir.resolve("loop2.yaml"), dir.resolve("loop1.yaml"));
        Path fifo = dir.resolve("pipe.json");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        boolean fifoMade = mk.waitFor() == 0;
        ManifestLoader.LoadResult r = new ManifestLoader(dir, mapper).load();
        assertThat(r.errors()).isEmpty();
        assertThat(r.snapshot().services()).hasSize(1);
        assertThat(r.notes()).contains(dir.resolve("dir.yaml") + ": skipped: a directory, not a file (subdirectories are not read)",
                dir.resolve("gone.yaml") + ": skipped: a symbolic link that leads to no file (dangling, or a loop)",
                dir.resolve("loop1.yaml") + ": skipped: a symbolic link that leads to no file (dangling, or a loop)");
        if (fifoMade) {
            assertThat(r.notes()).contains(fifo + ": skipped: not a regular file (a FIFO, socket or device)");
        }
    }

    @Test
    void theOlderCreationTimestampKeepsAnAddressWhicheverFileComesFirst() throws IOException {
        write("a.yaml", service("a", "127.0.0.21", 80).replace("{name: a}",
                "{name: a, creationTimestamp: \"2026-05-01T10:00:00+02:00\"}"));
        Path z = write("z.yaml", service("z", "127.0.0.21", 80).replace("{name: z}",
                "{name: z, creationTimestamp: \"2026-05-01T07:59:59Z\"}"));
        ManifestLoader.LoadResult r = new ManifestLoader(dir, mapper).load();
        assertThat(r.snapshot().services()).containsOnlyKeys(new ServiceId("default", "z"));
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.toString())
                .startsWith(dir.resolve("a.yaml") + ":7: Service default/a: spec.ports[0].port: 127.0.0.21:80/TCP is "
                        + "already served by Service default/z (created first, 2026-05-01T07:59:59Z)"));
        assertThat(z).exists();
    }

    @Test
    void aCreationTimestampThatIsNoTimeIsAnErrorNamingTheField() throws IOException {
        Path a = write("a.yaml", service("a", "127.0.0.21", 80).replace("{name: a}",
                "{name: a, creationTimestamp: yesterday}"));
        ManifestLoader.LoadResult r = new ManifestLoader(dir, mapper).load();
        assertThat(r.snapshot().services()).isEmpty();
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.toString())
                .isEqualTo(a + ":3: Service default/a: metadata.creationTimestamp: expected an RFC 3339 time such as "
                        + "2026-01-02T03:04:05Z, got \"yesterday\""));
    }

    @Test
    void aFileLargerThanAManifestMayBeIsRefusedUnreadAndKeepsItsObjects() throws IOException {
        Path huge = write("huge.yaml", service("a", "127.0.0.21", 80));
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        assertThat(loader.load().snapshot().services()).containsOnlyKeys(new ServiceId("default", "a"));
        try (var f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(ManifestLoader.MAX_FILE_BYTES + 1); // sparse: nothing is written
        }
        Files.setLastModifiedTime(huge, FileTime.from(Instant.now().plusSeconds(counter++)));
        ManifestLoader.LoadResult r = loader.load();
        assertThat(r.errors()).singleElement().hasToString(huge + ": too large: 128 MiB; a manifest file may have at"
                + " most 128 MiB (split it into several files)");
        assertThat(r.snapshot().services()).containsOnlyKeys(new ServiceId("default", "a"));
    }

    @Test
    void aFileStillBeingParsedDoesNotHoldUpAChangeToAnother() throws Exception {
        write("small.yaml", service("small", "127.0.0.21", 80));
        write("big.yaml", configMaps(1_000));
        io.switchboard.store.ObjectStore store = new io.switchboard.store.ObjectStore();
        // Parses run at once on the reading thread, except the big file's while it is held back.
        java.util.concurrent.atomic.AtomicBoolean holdBig = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<Runnable> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.Executor parsers = task -> {
            if (holdBig.getAndSet(false)) {
                held.add(task);
            } else {
                task.run();
            }
        };
        ManifestLoader loader = new ManifestLoader(dir, mapper, store, parsers);
        java.util.concurrent.Semaphore parsed = new java.util.concurrent.Semaphore(0);
        loader.onParsed(parsed::release);
        loader.read();
        assertThat(store.checkout().notes()).singleElement().asString().startsWith("1000 objects ignored: ");

        write("big.yaml", configMaps(1_001));
        write("small.yaml", service("small", "127.0.0.22", 80));
        holdBig.set(true); // files are parsed in path order: big.yaml first
        parsed.drainPermits();
        loader.read(Duration.ofMillis(100));
        assertThat(held).hasSize(1);
        assertThat(store.checkout().snapshot().services().get(new ServiceId("default", "small")).clusterIps().get(0)
                .getHostAddress()).as("the small change is in").isEqualTo("127.0.0.22");
        assertThat(store.checkout().notes()).as("the big file keeps its objects meanwhile").singleElement().asString()
                .startsWith("1000 objects ignored: ");
        assertThat(loader.filesBeingRead()).isEqualTo(1);
        loader.read(Duration.ZERO);
        assertThat(held).as("an unchanged file being parsed is not parsed again").hasSize(1);

        Thread parser = new Thread(held.get(0));
        parser.start();
        assertThat(parsed.tryAcquire(60, java.util.concurrent.TimeUnit.SECONDS)).as("its parse ends").isTrue();
        parser.join();
        loader.read(Duration.ZERO);
        assertThat(loader.filesBeingRead()).isZero();
        assertThat(store.checkout().notes()).singleElement().asString().startsWith("1001 objects ignored: ");
    }

    @Test
    void definitionsKeepNoParsedTreesSoAHundredThousandObjectsFitInLittleHeap() throws IOException {
        write("big.yaml", configMaps(100_000));
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        ManifestLoader loader = new ManifestLoader(dir, mapper);
        ManifestLoader.LoadResult r = loader.load();
        System.gc();
        long retained = memory.getHeapMemoryUsage().getUsed() - before;
        assertThat(r.notes()).hasSize(1);
        System.out.printf("100,000 objects retain %d bytes each%n", retained / 100_000);
        // About 1 KB each here (definition, origin, line index, the file's text); with their trees, 2.3 KB.
        assertThat(retained / 100_000).as("bytes retained per object").isLessThan(1_600);
        assertThat(loader.root()).isEqualTo(dir);
    }

    private static String configMaps(int n) {
        StringBuilder sb = new StringBuilder(n * 100);
        for (int i = 0; i < n; i++) {
            sb.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-").append(i)
                    .append("\n  namespace: default\ndata:\n  k: v").append(i).append('\n');
        }
        return sb.toString();
    }

    static String service(String name, String ip, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s}
                spec:
                  clusterIP: %s
                  ports:
                  - port: %d
                """.formatted(name, ip, port);
    }
}
