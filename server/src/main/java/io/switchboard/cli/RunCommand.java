package io.switchboard.cli;

import io.switchboard.server.Switchboard;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Serves a directory (or file) of Kubernetes manifests until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve the Services in a directory or file of Kubernetes manifests until stopped.")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"--config", "-c"}, required = true, description = "Manifest directory or file.")
    Path config;

    @Mixin
    ProxyOptions options = new ProxyOptions();

    @Override
    public Integer call() throws Exception {
        Switchboard sb = Switchboard.start(options.toConfig(config));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sb.close();
            stopped.countDown();
        }, "switchboard-shutdown"));
        stopped.await();
        return 0;
    }
}
