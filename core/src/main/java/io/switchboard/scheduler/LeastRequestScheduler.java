package io.switchboard.scheduler;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Least request ({@code least-request}), Envoy's default for HTTP: two different available
 * destinations are drawn with probability proportional to weight, and the one with fewer requests in
 * flight wins, weighted ({@code inFlight / weight}); the first drawn wins a tie. Per request, not per
 * connection, so one busy keep-alive client cannot hide load.
 */
final class LeastRequestScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    private final RandomGenerator random;

    LeastRequestScheduler(List<D> destinations, RandomGenerator random) {
        this.destinations = List.copyOf(destinations);
        this.random = random;
    }

    @Override
    public D pick(PickContext context) {
        D[] two = TwoWeightedDraws.draw(destinations, context, random);
        if (two == null) {
            return null;
        }
        D a = two[0];
        D b = two[1];
        if (b == null) {
            return a;
        }
        return (long) b.inFlightRequests() * a.weight() < (long) a.inFlightRequests() * b.weight() ? b : a;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.LEAST_REQUEST;
    }
}
