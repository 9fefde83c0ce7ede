package io.switchboard.cli;

import io.switchboard.training.LoadTraining;
import io.switchboard.training.RelayTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The launcher's training run for an AOT cache (JDK 25 and later): a start's work on a synthetic
 * cluster, then a few connections, requests and datagrams through a real data plane on 127.0.0.1, and
 * a load of keep-alive requests and echoes on connections that close and reopen.
 * Exits 1 when anything it sent did not come back as the endpoint answers it, so a broken training
 * is seen rather than recorded.
 */
@Command(name = "train", hidden = true, mixinStandardHelpOptions = true,
        description = "Run a start's work on a synthetic cluster and relay a few connections on 127.0.0.1"
                + " (what the launcher records its AOT cache from).")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--services", defaultValue = "2000", description = "Services in the synthetic cluster"
            + " (default: ${DEFAULT-VALUE}).")
    int services;

    @Option(names = "--rounds", defaultValue = "20", description = "TCP connections, HTTP requests and UDP"
            + " datagrams sent through (default: ${DEFAULT-VALUE} of each).")
    int rounds;

    @Option(names = "--load", defaultValue = "20000", description = "Keep-alive HTTP requests, and as many L4"
            + " echoes, sent through after that on connections that close every 200 (default: ${DEFAULT-VALUE}).")
    int load;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("switchboard-train");
        try {
            LoadTraining.Result cluster = LoadTraining.run(dir.resolve("load"), services);
            RelayTraining.Result relay = RelayTraining.run(dir.resolve("relay"), rounds, load);
            System.out.printf("trained: %d of %d Services routed (%d after one more); %d of %d connections,"
                            + " %d of %d requests, %d of %d datagrams answered; %d of %d kept-alive requests and echoes%n",
                    cluster.routed(), cluster.services(), cluster.routedAfterOneMore(), relay.connections(), rounds,
                    relay.requests(), rounds, relay.datagrams(), rounds, relay.keptAlive(), relay.keptAliveSent());
            boolean complete = cluster.routed() == services && cluster.routedAfterOneMore() == services + 1
                    && relay.connections() == rounds && relay.requests() == rounds && relay.datagrams() == rounds
                    && relay.keptAlive() == relay.keptAliveSent();
            return complete ? 0 : 1;
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete training file " + p, e);
                }
            });
        }
    }
}
