package io.switchboard.cli;

import io.switchboard.backend.DemoBackend;
import io.switchboard.model.HostPort;
import io.switchboard.server.Switchboard;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Starts three demo endpoints and serves the shipped example in front of them. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo endpoints (127.0.1.1-3:8080) and serve examples/demo in front of them.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = {"--config", "-c"}, description = "Manifest directory (default: examples/demo).")
    Path config;

    @Mixin
    ProxyOptions options = new ProxyOptions();

    @Override
    public Integer call() throws Exception {
        io.switchboard.kubernetes.DocumentMapper.warmUp();
        Path dir = config != null ? config : findExample();
        List<DemoBackend> backends = new ArrayList<>();
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < names.length; i++) {
            InetSocketAddress listen = new InetSocketAddress("127.0.1." + (i + 1), 8080);
            try {
                backends.add(DemoBackend.start(names[i], listen, 1));
            } catch (Exception e) {
                System.err.println("cannot start demo backend " + names[i] + " on " + listen + ": " + e.getMessage());
                backends.forEach(DemoBackend::close);
                return 1;
            }
        }
        Switchboard sb = Switchboard.start(options.toConfig(dir));
        sb.awaitFirstSync(Duration.ofSeconds(10));
        String admin = HostPort.of(sb.adminAddress().getHostString(), sb.adminAddress().getPort());
        System.out.println();
        System.out.println("Switchboard is serving " + dir + " in front of backends a, b and c.");
        System.out.println("Try:");
        System.out.println("  for i in 1 2 3 4 5 6; do curl -s http://127.0.0.10:8080/; done   # round robin: a b c a b c");
        System.out.println("  for i in 1 2 3; do curl -s http://127.0.0.11:8080/; done         # ClientIP affinity: one name");
        System.out.println("  curl -s http://127.0.0.1:30080/                                  # the node port");
        System.out.println("  curl -s http://127.0.0.10:8080/{1,2,3}                           # L4: one connection, one name");
        System.out.println("  curl -s http://127.0.0.13:8080/{1,2,3}                           # L7 (appProtocol http): a b c");
        System.out.println("  ./switchboard list --admin " + admin + "                         # the routing table");
        System.out.println("  curl -s http://" + admin + "/metrics | grep switchboard_endpoint_connections_total");
        System.out.println("Edit the files in " + dir + " and the change is applied within a second. Ctrl-C stops.");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sb.close();
            backends.forEach(DemoBackend::close);
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    private static Path findExample() {
        Path here = Path.of("examples", "demo");
        if (Files.isDirectory(here)) {
            return here;
        }
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path beside = jar.getParent().getParent().getParent().resolve("examples").resolve("demo");
            if (Files.isDirectory(beside)) {
                return beside;
            }
        } catch (Exception e) {
            // Fall through to the relative path; the loader reports it missing.
        }
        return here;
    }
}
