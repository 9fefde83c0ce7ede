package io.switchboard.scheduler;

import java.util.List;

/**
 * Weighted overflow ({@code ovf}): the available destination with the highest weight whose active
 * connections do not exceed its weight; once it has more, connections overflow to the next
 * highest, as in {@code ip_vs_ovf.c}.
 */
final class OverflowScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;

    OverflowScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public D pick(PickContext context) {
        D highest = null;
        int highestWeight = 0;
        for (D d : destinations) {
            int w = d.weight();
            if (w == 0 || d.activeConnections() > w || !context.usable(d)) {
                continue;
            }
            if (highest == null || w > highestWeight) {
                highest = d;
                highestWeight = w;
            }
        }
        return highest;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.OVF;
    }
}
