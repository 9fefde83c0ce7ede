package io.switchboard.scheduler;

import static io.switchboard.scheduler.Picks.from;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** least-request and ewma: request-level power of two choices. */
class RequestSchedulersTest {

    /** A destination with in-flight requests and a latency estimate. */
    private static final class Req extends io.switchboard.scheduler.TestDestinationView {
        int inFlight;
        double latency;

        Req(String name, int weight) {
            super(TestDestination.of(name, weight));
        }

        @Override
        public int inFlightRequests() {
            return inFlight;
        }

        @Override
        public double latencyEstimate() {
            return latency;
        }
    }

    private static SchedulerConfig seeded() {
        return new SchedulerConfig(Set.of(), new SplittableRandom(3), System::nanoTime, 251, Duration.ofHours(1));
    }

    @Test
    void leastRequestSendsEachRequestToTheLessBusyOfTwo() {
        Req a = new Req("A", 1);
        Req b = new Req("B", 1);
        a.inFlight = 5;
        Scheduler<Req> s = Schedulers.create(Algorithm.LEAST_REQUEST, List.of(a, b), seeded());
        for (int i = 0; i < 20; i++) {
            assertThat(s.pick(from("10.0.0.1"))).as("with two endpoints both are always drawn").isSameAs(b);
        }
        b.inFlight = 6;
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(a);
    }

    @Test
    void leastRequestKeepsInFlightLevelAcrossEndpoints() {
        List<Req> ds = List.of(new Req("A", 1), new Req("B", 1), new Req("C", 1));
        Scheduler<Req> s = Schedulers.create(Algorithm.LEAST_REQUEST, ds, seeded());
        for (int i = 0; i < 3000; i++) {
            s.pick(from("10.0.0.1")).inFlight++;
        }
        for (Req r : ds) {
            assertThat(r.inFlight).isBetween(990, 1010);
        }
    }

    @Test
    void ewmaPrefersTheFasterEndpointInProportion() {
        Req fast = new Req("F", 1);
        Req slow = new Req("S", 1);
        fast.latency = 1_000_000;
        slow.latency = 10_000_000;
        Scheduler<Req> s = Schedulers.create(Algorithm.EWMA, List.of(fast, slow), seeded());
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1100; i++) {
            Req r = s.pick(from("10.0.0.1"));
            r.inFlight++;
            counts.merge(r.toString(), 1, Integer::sum);
        }
        // Costs balance when 1 ms * (f + 1) = 10 ms * (s + 1): about ten requests to F for each to S.
        assertThat(counts.get("F")).isBetween(980, 1010);
    }

    @Test
    void ewmaTriesAnUnmeasuredEndpoint() {
        Req known = new Req("K", 1);
        Req fresh = new Req("N", 1);
        known.latency = 5_000_000;
        Scheduler<Req> s = Schedulers.create(Algorithm.EWMA, List.of(known, fresh), seeded());
        assertThat(s.pick(from("10.0.0.1"))).isSameAs(fresh);
    }
}
