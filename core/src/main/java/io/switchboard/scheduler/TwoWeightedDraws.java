package io.switchboard.scheduler;

import java.util.List;
import java.util.random.RandomGenerator;

/** Draws two different usable destinations with probability proportional to weight. */
final class TwoWeightedDraws {

    private TwoWeightedDraws() {
    }

    /**
     * Two different destinations (the second null when only one is usable), or null when none is.
     */
    @SuppressWarnings("unchecked")
    static <D extends Destination> D[] draw(List<D> destinations, PickContext context, RandomGenerator random) {
        long total = 0;
        int usable = 0;
        for (D d : destinations) {
            if (d.weight() > 0 && context.usable(d)) {
                total += d.weight();
                usable++;
            }
        }
        if (usable == 0) {
            return null;
        }
        D first = at(destinations, context, random.nextLong(total), null);
        if (usable == 1) {
            return (D[]) new Destination[] {first, null};
        }
        D second = at(destinations, context, random.nextLong(total - first.weight()), first);
        return (D[]) new Destination[] {first, second};
    }

    private static <D extends Destination> D at(List<D> destinations, PickContext context, long r, D skip) {
        D last = null;
        for (D d : destinations) {
            if (d == skip || d.weight() <= 0 || !context.usable(d)) {
                continue;
            }
            last = d;
            r -= d.weight();
            if (r < 0) {
                return d;
            }
        }
        return last;
    }
}
