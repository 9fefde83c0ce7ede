package io.switchboard.bench.micro;

import io.switchboard.model.Protocol;
import io.switchboard.routing.Backend;
import io.switchboard.routing.BackendPool;
import io.switchboard.scheduler.Algorithm;
import io.switchboard.scheduler.PickContext;
import io.switchboard.scheduler.Scheduler;
import java.net.InetAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One {@link Scheduler#pick} for every {@link Algorithm} over 3, 100 and 1,000 endpoints: what placing
 * one new connection (or UDP flow, or HTTP request for the request schedulers) costs before any socket
 * work. It is the part of a connection's cost that grows with the size of a Service, so it tells which
 * algorithms stay flat as a Deployment scales out and which walk every endpoint.
 *
 * <p>The scheduler is the one {@link io.switchboard.routing.RoutingTableBuilder} builds for a Service
 * annotated with the algorithm, over real {@link Backend}s carrying an uneven load (see
 * {@link Fixtures#load}). Clients come from a seeded, pre-built array of contexts with different
 * addresses and ports, so source hashing and Maglev hash a different key each time as they would
 * under real traffic; building the contexts up front keeps their allocation out of the measurement.
 * The Service address is the same in every context, as it is for one pool, so dh, lblc and lblcr
 * (which key on it) see one key, as they do in production.
 *
 * <p>Picks do not change the load (no connection is opened), so each measures the same decision
 * again over a fixed state; round robin's position and the random draws still move.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SchedulerPickBenchmark {

    /** A power of two, so the next context is an AND away; large enough that the hash keys do not repeat in cache. */
    private static final int CONTEXTS = 1 << 12;

    /** No values: JMH then runs every constant of the enum, so a new algorithm is measured without an edit here. */
    @Param
    public Algorithm algorithm;

    @Param({"3", "100", "1000"})
    public int endpoints;

    private Scheduler<Backend> scheduler;
    private PickContext[] contexts;
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(Fixtures.SEED);
        InetAddress service = Fixtures.ip(10, 96, 0, 10);
        BackendPool pool = Fixtures.table(algorithm, endpoints, Protocol.TCP, service, 80, 8080, random)
                .lookup(service, 80, Protocol.TCP).pool();
        Fixtures.load(pool, random);
        scheduler = pool.scheduler();
        if (scheduler.algorithm() != algorithm) {
            throw new IllegalStateException("pool scheduled by " + scheduler.algorithm() + ", not " + algorithm);
        }
        contexts = new PickContext[CONTEXTS];
        for (int i = 0; i < CONTEXTS; i++) {
            contexts[i] = PickContext.of(Fixtures.clientAddress(random), Fixtures.clientPort(random), service, 80);
        }
        // ovf finds every endpoint overflowed under this load (each has more connections than its weight) and
        // returns nothing; it walks every endpoint to learn that, so its figure is still the cost of its pick.
        if (scheduler.pick(contexts[0]) == null && algorithm != Algorithm.OVF) {
            throw new IllegalStateException(algorithm + " picked nothing from " + endpoints + " ready endpoints");
        }
    }

    @Benchmark
    public void pick(Blackhole bh) {
        PickContext context = contexts[next++ & (CONTEXTS - 1)];
        bh.consume(scheduler.pick(context));
    }
}
