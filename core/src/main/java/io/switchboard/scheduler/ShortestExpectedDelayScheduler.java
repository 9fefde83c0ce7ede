package io.switchboard.scheduler;

import java.util.List;

/**
 * Shortest expected delay ({@code sed}): the available destination with the smallest
 * {@code (active + 1) / weight}, the expected delay if the connection joined it; inactive
 * connections do not count; the first wins a tie, as in {@code ip_vs_sed.c}.
 */
final class ShortestExpectedDelayScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;

    ShortestExpectedDelayScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public D pick(PickContext context) {
        D least = null;
        long leastOverhead = 0;
        for (D d : destinations) {
            if (!context.usable(d)) {
                continue;
            }
            if (least == null) {
                if (d.weight() > 0) {
                    least = d;
                    leastOverhead = d.activeConnections() + 1L;
                }
                continue;
            }
            long overhead = d.activeConnections() + 1L;
            if (leastOverhead * d.weight() > overhead * least.weight()) {
                least = d;
                leastOverhead = overhead;
            }
        }
        return least;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.SED;
    }
}
