package io.switchboard.scheduler;

import java.util.List;

/**
 * Weighted failover ({@code fo}): every connection goes to the available destination with the
 * highest weight (the first of equals), so lower weights are standbys, as in {@code ip_vs_fo.c}.
 */
final class FailoverScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;

    FailoverScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public D pick(PickContext context) {
        D highest = null;
        int highestWeight = 0;
        for (D d : destinations) {
            int w = d.weight();
            if (w > highestWeight && context.usable(d)) {
                highest = d;
                highestWeight = w;
            }
        }
        return highest;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.FO;
    }
}
