package io.switchboard.cli;

import io.switchboard.backend.DemoBackend;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs a demo endpoint that answers with its name. */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = "Run a small endpoint that answers with its name: over HTTP (200, body NAME), raw TCP"
                + " (NAME, then an echo of what it receives) and UDP on the same port (a datagram \"name\" gets"
                + " NAME, any other is echoed).")
final class BackendCommand implements Callable<Integer> {

    @Option(names = "--listen", required = true, converter = HostPortConverter.class, description = "Address to listen on.")
    InetSocketAddress listen;

    @Option(names = "--name", required = true, description = "The name it answers with.")
    String name;

    @Option(names = "--workers", defaultValue = "1", description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Override
    public Integer call() throws Exception {
        DemoBackend backend = DemoBackend.start(name, listen, workers);
        System.out.println("backend " + name + " listening on " + backend.address());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            backend.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
