package io.switchboard.training;

import io.switchboard.kubernetes.ManifestLoader;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.model.ServiceId;
import io.switchboard.routing.RoutingTableBuilder;
import io.switchboard.routing.RoutingUpdate;
import io.switchboard.scheduler.SchedulerConfig;
import io.switchboard.tracker.ChangeTracker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The work a start of a big cluster spends its time on, without a socket: a synthetic cluster read
 * from manifest files, recorded into the object store, diffed by the change tracker and turned into
 * a routing table, then one more Service added the way a file edit adds it. A JVM recording an AOT
 * cache sees these methods run thousands of times, so a real start finds them loaded, linked and
 * profiled.
 */
public final class LoadTraining {

    /**
     * What the training built.
     *
     * @param services  Services in the synthetic cluster
     * @param routed    Services in the routing table after the first load
     * @param routedAfterOneMore Services in it after one more was added
     */
    public record Result(int services, int routed, int routedAfterOneMore) {
    }

    private static final int PORT = 18082;
    private static final int TARGET_PORT = 18190;

    private LoadTraining() {
    }

    /** Writes {@code services} synthetic Services under {@code dir} and loads them as a start would. */
    public static Result run(Path dir, int services) throws IOException {
        SyntheticCluster.write(dir, 0, services, 2, PORT, TARGET_PORT);
        ManifestLoader loader = new ManifestLoader(dir, new ResourceMapper("switchboard"));
        ChangeTracker tracker = new ChangeTracker();
        RoutingTableBuilder builder = new RoutingTableBuilder(new RoutingTableBuilder.Settings("training", List.of(),
                SchedulerConfig.DEFAULT, System::nanoTime));
        int routed = sync(loader, tracker, builder).table().services().size();
        SyntheticCluster.write(dir, services, services + 1, 2, PORT, TARGET_PORT);
        int after = sync(loader, tracker, builder).table().services().size();
        return new Result(services, routed, after);
    }

    private static RoutingUpdate sync(ManifestLoader loader, ChangeTracker tracker, RoutingTableBuilder builder) {
        ManifestLoader.LoadResult load = loader.load();
        if (!load.errors().isEmpty()) {
            // The generator and the loader disagree: a bug here, worth failing the training for.
            throw new IllegalStateException("the synthetic cluster in " + loader.root() + " does not load: "
                    + load.errors().get(0));
        }
        Set<ServiceId> changes = tracker.changes(load.snapshot(), load.touched());
        RoutingUpdate update = builder.apply(changes, load.snapshot());
        tracker.applied(load.snapshot());
        return update;
    }
}
