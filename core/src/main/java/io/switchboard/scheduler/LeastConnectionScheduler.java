package io.switchboard.scheduler;

import java.util.List;

/**
 * Least connection ({@code lc}): the available destination with the smallest overhead
 * {@code (active << 8) + inactive}; weights only matter in that weight 0 excludes; the first
 * destination wins a tie, as in {@code ip_vs_lc.c}.
 */
final class LeastConnectionScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;

    LeastConnectionScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public D pick(PickContext context) {
        D least = null;
        int leastOverhead = 0;
        for (D d : destinations) {
            if (d.weight() == 0 || !context.usable(d)) {
                continue;
            }
            int overhead = Destination.overhead(d);
            if (least == null || overhead < leastOverhead) {
                least = d;
                leastOverhead = overhead;
            }
        }
        return least;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.LC;
    }
}
