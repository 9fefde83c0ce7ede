package io.switchboard.scheduler;

import java.util.List;

/**
 * Never queue ({@code nq}): an idle destination (no active connection, non-zero weight) is chosen
 * at once; otherwise the shortest expected delay {@code (active + 1) / weight} decides, as in
 * {@code ip_vs_nq.c}.
 */
final class NeverQueueScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;

    NeverQueueScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public D pick(PickContext context) {
        D least = null;
        long leastOverhead = 0;
        for (D d : destinations) {
            if (d.weight() == 0 || !context.usable(d)) {
                continue;
            }
            int active = d.activeConnections();
            if (active == 0) {
                return d;
            }
            long overhead = active + 1L;
            if (least == null || leastOverhead * d.weight() > overhead * least.weight()) {
                least = d;
                leastOverhead = overhead;
            }
        }
        return least;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.NQ;
    }
}
