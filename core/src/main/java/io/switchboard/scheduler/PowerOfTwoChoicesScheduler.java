package io.switchboard.scheduler;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Power of two choices ({@code p2c}, Mitzenmacher): two different available destinations with
 * non-zero weight are drawn uniformly, and the one with fewer active connections wins (the first
 * drawn on a tie). With a single candidate, that one is chosen.
 */
final class PowerOfTwoChoicesScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    private final RandomGenerator random;

    PowerOfTwoChoicesScheduler(List<D> destinations, RandomGenerator random) {
        this.destinations = List.copyOf(destinations);
        this.random = random;
    }

    @Override
    public D pick(PickContext context) {
        int candidates = 0;
        for (D d : destinations) {
            if (d.weight() > 0 && context.usable(d)) {
                candidates++;
            }
        }
        if (candidates == 0) {
            return null;
        }
        int a = random.nextInt(candidates);
        int b = a;
        if (candidates > 1) {
            b = random.nextInt(candidates - 1);
            if (b >= a) {
                b++;
            }
        }
        D first = null;
        D second = null;
        int rank = 0;
        for (D d : destinations) {
            if (d.weight() <= 0 || !context.usable(d)) {
                continue;
            }
            if (rank == a) {
                first = d;
            }
            if (rank == b) {
                second = d;
            }
            rank++;
        }
        if (first == null || second == null) {
            return first != null ? first : second;
        }
        return second.activeConnections() < first.activeConnections() ? second : first;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.P2C;
    }
}
