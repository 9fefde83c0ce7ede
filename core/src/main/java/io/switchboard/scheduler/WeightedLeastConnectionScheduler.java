package io.switchboard.scheduler;

import java.util.List;

/**
 * Weighted least connection ({@code wlc}): the available destination with the smallest
 * {@code overhead / weight}, where overhead is {@code (active << 8) + inactive}; compared as
 * {@code overhead1 * weight2 > overhead2 * weight1} so no division is needed; the first wins a tie,
 * as in {@code ip_vs_wlc.c}.
 */
final class WeightedLeastConnectionScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;

    WeightedLeastConnectionScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public D pick(PickContext context) {
        return leastWeightedOverhead(destinations, context);
    }

    /** The wlc rule, shared with lblc and lblcr which fall back to it. */
    static <D extends Destination> D leastWeightedOverhead(List<D> destinations, PickContext context) {
        D least = null;
        long leastOverhead = 0;
        for (D d : destinations) {
            if (!context.usable(d)) {
                continue;
            }
            if (least == null) {
                if (d.weight() > 0) {
                    least = d;
                    leastOverhead = Destination.overhead(d);
                }
                continue;
            }
            long overhead = Destination.overhead(d);
            if (leastOverhead * d.weight() > overhead * least.weight()) {
                least = d;
                leastOverhead = overhead;
            }
        }
        return least;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.WLC;
    }
}
