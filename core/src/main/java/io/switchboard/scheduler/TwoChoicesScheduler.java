package io.switchboard.scheduler;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Weighted random of two choices ({@code twos}), as {@code ip_vs_twos.c}: two destinations are drawn
 * at random with probability proportional to weight, and the one with the smaller
 * {@code overhead / weight} wins (the first drawn on a tie).
 */
final class TwoChoicesScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    private final RandomGenerator random;

    TwoChoicesScheduler(List<D> destinations, RandomGenerator random) {
        this.destinations = List.copyOf(destinations);
        this.random = random;
    }

    @Override
    public D pick(PickContext context) {
        int total = 0;
        for (D d : destinations) {
            if (d.weight() > 0 && context.usable(d)) {
                total += d.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        // The kernel draws from [0, total] inclusive; keep its slight bias towards the first destination.
        int r1 = random.nextInt(total + 1);
        int r2 = random.nextInt(total + 1);
        D first = null;
        D second = null;
        for (D d : destinations) {
            int w = d.weight();
            if (w <= 0 || !context.usable(d)) {
                continue;
            }
            r1 -= w;
            r2 -= w;
            if (r1 <= 0 && first == null) {
                first = d;
            }
            if (r2 <= 0 && second == null) {
                second = d;
            }
            if (first != null && second != null) {
                break;
            }
        }
        if (first == null || second == null) {
            // Availability changed while drawing; take whichever draw landed.
            return first != null ? first : second;
        }
        long overhead1 = Destination.overhead(first);
        long overhead2 = Destination.overhead(second);
        return (long) second.weight() * overhead1 > (long) first.weight() * overhead2 ? second : first;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.TWOS;
    }
}
