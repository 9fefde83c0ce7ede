package io.switchboard.scheduler;

import java.util.List;
import java.util.Objects;

/** Creates the scheduler for an algorithm over a fixed list of destinations. */
public final class Schedulers {

    private Schedulers() {
    }

    /**
     * A new scheduler.
     *
     * @param algorithm    which algorithm
     * @param destinations the destinations in their stable order (the order decides ties and tables)
     * @param config       flags, random source and clock
     */
    public static <D extends Destination> Scheduler<D> create(Algorithm algorithm, List<D> destinations,
                                                              SchedulerConfig config) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(destinations, "destinations");
        Objects.requireNonNull(config, "config");
        long expiration = config.localityExpiration().toNanos();
        return switch (algorithm) {
            case RR -> new RoundRobinScheduler<>(destinations);
            case WRR -> new WeightedRoundRobinScheduler<>(destinations);
            case LC -> new LeastConnectionScheduler<>(destinations);
            case WLC -> new WeightedLeastConnectionScheduler<>(destinations);
            case LBLC -> new LocalityLeastConnectionScheduler<>(destinations, config.nanoTime(), expiration);
            case LBLCR -> new LocalityReplicatedScheduler<>(destinations, config.nanoTime(), expiration);
            case DH -> new DestinationHashingScheduler<>(destinations);
            case SH -> new SourceHashingScheduler<>(destinations, config.flags().contains(SchedulerFlag.SH_FALLBACK),
                    config.flags().contains(SchedulerFlag.SH_PORT));
            case SED -> new ShortestExpectedDelayScheduler<>(destinations);
            case NQ -> new NeverQueueScheduler<>(destinations);
            case FO -> new FailoverScheduler<>(destinations);
            case OVF -> new OverflowScheduler<>(destinations);
            case MH -> new MaglevScheduler<>(destinations, config.maglevTableSize(),
                    config.flags().contains(SchedulerFlag.MH_FALLBACK), config.flags().contains(SchedulerFlag.MH_PORT));
            case TWOS -> new TwoChoicesScheduler<>(destinations, config.random());
            case RANDOM -> new RandomScheduler<>(destinations, config.random());
            case P2C -> new PowerOfTwoChoicesScheduler<>(destinations, config.random());
            case LEAST_REQUEST -> new LeastRequestScheduler<>(destinations, config.random());
            case EWMA -> new PeakEwmaScheduler<>(destinations, config.random());
        };
    }
}
