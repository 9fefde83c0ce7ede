package io.switchboard.bench.micro;

import io.switchboard.affinity.AffinityTable;
import io.switchboard.model.Protocol;
import io.switchboard.model.SessionAffinity;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.scheduler.Algorithm;
import java.net.InetAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The {@link AffinityTable} operations a connection to a {@code sessionAffinity: ClientIP} Service does
 * before the scheduler, at 100,000 remembered clients: a returning client (lookup hit), a new client
 * (lookup miss, then remember, while old entries leave at the same rate so the size holds), and a new
 * client when the table is at its bound (the miss and remember that make Caffeine evict). Every
 * connection to such a Service pays one of these, so they bound its connection rate as much as the
 * scheduler does.
 *
 * <p>Keys are built up front from seeded client addresses in one pool's group, as
 * {@link BackendPool#choose} builds them per connection; building them ahead keeps the
 * benchmark's own allocation out of the table's cost. Entries use the default ClientIP timeout (3 h),
 * so none expires during a run, and the system ticker, as {@link AffinityTable#create} does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AffinityTableBenchmark {

    /** Clients remembered: a busy node's worth of ClientIP clients. */
    static final int ENTRIES = 100_000;
    /** The production bound ({@code --max-affinity-entries} default). */
    static final long DEFAULT_BOUND = 1_000_000;
    static final long TIMEOUT_NANOS = SessionAffinity.DEFAULT_TIMEOUT.toNanos();

    /** One pool's group and endpoints, and {@code n} distinct client keys in it. */
    static final class Keys {
        final List<Backend> backends;
        final AffinityTable.Key[] keys;

        Keys(int n) {
            Random random = new Random(Fixtures.SEED);
            InetAddress service = Fixtures.ip(10, 96, 0, 10);
            BackendPool pool = Fixtures.table(Algorithm.RR, 100, Protocol.TCP, service, 80, 8080, random)
                    .lookup(service, 80, Protocol.TCP).pool();
            backends = pool.backends();
            keys = new AffinityTable.Key[n];
            // Distinct addresses, in a shuffled order so consecutive keys do not share cache lines or hash runs.
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < n; i++) {
                int a = order[i];
                keys[i] = new AffinityTable.Key(pool.id(), Fixtures.ip(100, 64 | (a >>> 16), (a >>> 8) & 0xff, a & 0xff));
            }
        }

        Backend backend(int i) {
            return backends.get(i % backends.size());
        }
    }

    /** 100,000 clients resident, far below the bound; nothing changes during the run. */
    @State(Scope.Thread)
    public static class Resident {
        AffinityTable<Backend> table;
        AffinityTable.Key[] keys;
        int next;

        @Setup
        public void setUp() {
            Keys k = new Keys(ENTRIES);
            keys = k.keys;
            table = AffinityTable.create(DEFAULT_BOUND);
            for (int i = 0; i < ENTRIES; i++) {
                table.remember(keys[i], k.backend(i), TIMEOUT_NANOS);
            }
            table.cleanUp();
            if (table.size() != ENTRIES || table.lookup(keys[ENTRIES - 1]) == null) {
                throw new IllegalStateException("expected " + ENTRIES + " resident entries, found " + table.size());
            }
        }
    }

    /**
     * A sliding window over twice as many keys as are resident: each operation adds the next client and
     * forgets the oldest, so every lookup misses and the table stays at 100,000 entries however long the
     * run, as it does when clients come and go at the same rate.
     */
    @State(Scope.Thread)
    public static class Churn {
        AffinityTable<Backend> table;
        Keys keys;
        int next;

        @Setup
        public void setUp() {
            keys = new Keys(2 * ENTRIES);
            table = AffinityTable.create(DEFAULT_BOUND);
            for (int i = 0; i < ENTRIES; i++) {
                table.remember(keys.keys[i], keys.backend(i), TIMEOUT_NANOS);
            }
            table.cleanUp();
        }

        @TearDown
        public void checkSize() {
            table.cleanUp();
            if (table.size() != ENTRIES) {
                throw new IllegalStateException("the window drifted: " + table.size() + " entries");
            }
        }
    }

    /**
     * A table bounded at 100,000 and full. The new clients outnumber the bound ten times over, so one comes
     * back only after a million others: a flood of new clients, the case the bound exists for. The table is
     * filled with other keys than the new clients', so none of theirs is resident at the start and comes
     * back as a hit after the first round.
     */
    @State(Scope.Thread)
    public static class Full {
        static final int KEYS = 1 << 20;
        AffinityTable<Backend> table;
        Keys keys;
        int next;

        @Setup
        public void setUp() {
            keys = new Keys(KEYS + ENTRIES);
            table = AffinityTable.create(ENTRIES);
            for (int i = KEYS; i < KEYS + ENTRIES; i++) {
                table.remember(keys.keys[i], keys.backend(i), TIMEOUT_NANOS);
            }
            table.cleanUp();
            if (table.size() != ENTRIES) {
                throw new IllegalStateException("expected a full table of " + ENTRIES + ", found " + table.size());
            }
        }

        @TearDown
        public void checkBound() {
            table.cleanUp();
            if (table.size() > ENTRIES) {
                throw new IllegalStateException("the bound did not hold: " + table.size() + " entries");
            }
        }
    }

    /** A returning client: the lookup that finds its endpoint (and refreshes its timeout). */
    @Benchmark
    public void lookupHit(Resident s, Blackhole bh) {
        int i = s.next;
        s.next = i + 1 == ENTRIES ? 0 : i + 1;
        bh.consume(s.table.lookup(s.keys[i]));
    }

    /** A new client below the bound: lookup miss, remember; plus forgetting the oldest, which keeps the size. */
    @Benchmark
    public void missRememberForget(Churn s, Blackhole bh) {
        int n = s.keys.keys.length;
        int oldest = s.next;
        int fresh = oldest + ENTRIES >= n ? oldest + ENTRIES - n : oldest + ENTRIES;
        s.next = oldest + 1 == n ? 0 : oldest + 1;
        AffinityTable.Key key = s.keys.keys[fresh];
        bh.consume(s.table.lookup(key));
        s.table.remember(key, s.keys.backend(fresh), TIMEOUT_NANOS);
        s.table.forget(s.keys.keys[oldest]);
    }

    /** A new client at the bound: lookup miss, remember, and the eviction that remembering forces. */
    @Benchmark
    public void missRememberAtBound(Full s, Blackhole bh) {
        int i = s.next;
        s.next = (i + 1) & (Full.KEYS - 1);
        AffinityTable.Key key = s.keys.keys[i];
        bh.consume(s.table.lookup(key));
        s.table.remember(key, s.keys.backend(i), TIMEOUT_NANOS);
    }
}
