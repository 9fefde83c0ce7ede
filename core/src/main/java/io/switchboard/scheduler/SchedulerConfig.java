package io.switchboard.scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * What a scheduler needs besides its destinations: flags, and the random source and clock that
 * tests replace to make schedulers deterministic.
 *
 * @param flags                IPVS scheduler flags
 * @param random               random source for twos, random and p2c
 * @param nanoTime             monotonic clock for the locality schedulers
 * @param maglevTableSize      prime size of the Maglev table
 * @param localityExpiration   how long lblc and lblcr remember an unused mapping
 */
public record SchedulerConfig(Set<SchedulerFlag> flags, RandomGenerator random, LongSupplier nanoTime,
                              int maglevTableSize, Duration localityExpiration) {

    /** Production defaults: a thread-local random source, the system clock, kernel table sizes. */
    public static final SchedulerConfig DEFAULT = new SchedulerConfig(Set.of(), new ThreadLocalRandomSource(),
            System::nanoTime, MaglevScheduler.DEFAULT_TABLE_SIZE, Duration.ofHours(24));

    public SchedulerConfig {
        flags = Set.copyOf(flags);
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(nanoTime, "nanoTime");
        Objects.requireNonNull(localityExpiration, "localityExpiration");
    }

    /** The same configuration with these flags. */
    public SchedulerConfig withFlags(Set<SchedulerFlag> newFlags) {
        return new SchedulerConfig(newFlags, random, nanoTime, maglevTableSize, localityExpiration);
    }

    /** Delegates to the calling thread's {@link ThreadLocalRandom}, so one instance serves every event loop. */
    private static final class ThreadLocalRandomSource implements RandomGenerator {
        @Override
        public long nextLong() {
            return ThreadLocalRandom.current().nextLong();
        }

        @Override
        public int nextInt(int bound) {
            return ThreadLocalRandom.current().nextInt(bound);
        }
    }
}
