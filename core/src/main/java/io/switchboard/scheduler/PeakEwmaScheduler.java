package io.switchboard.scheduler;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Peak EWMA ({@code ewma}), as Finagle and Linkerd balance: each destination's cost is its latency
 * estimate (a moving average that jumps up to any slower observation at once and decays back slowly)
 * times its requests in flight plus one, divided by weight; of two weighted random draws the cheaper
 * wins. A destination with no latency yet costs only its in-flight count, so new endpoints are tried.
 */
final class PeakEwmaScheduler<D extends Destination> implements Scheduler<D> {

    /** Latency assumed for a destination never measured, so in-flight counts still compare. */
    private static final double UNKNOWN_LATENCY = 1.0;

    private final List<D> destinations;
    private final RandomGenerator random;

    PeakEwmaScheduler(List<D> destinations, RandomGenerator random) {
        this.destinations = List.copyOf(destinations);
        this.random = random;
    }

    @Override
    public D pick(PickContext context) {
        D[] two = TwoWeightedDraws.draw(destinations, context, random);
        if (two == null) {
            return null;
        }
        if (two[1] == null) {
            return two[0];
        }
        return cost(two[1]) < cost(two[0]) ? two[1] : two[0];
    }

    static double cost(Destination d) {
        double latency = d.latencyEstimate() > 0 ? d.latencyEstimate() : UNKNOWN_LATENCY;
        return latency * (d.inFlightRequests() + 1) / d.weight();
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.EWMA;
    }
}
