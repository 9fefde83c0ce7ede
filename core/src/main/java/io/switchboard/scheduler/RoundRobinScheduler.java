package io.switchboard.scheduler;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin ({@code rr}): each new connection goes to the next destination after the one chosen
 * last that is available and has a non-zero weight, as {@code ip_vs_rr.c} walks its list. Weights
 * other than zero do not matter.
 */
final class RoundRobinScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    /** Index of the destination chosen last; -1 before the first pick. */
    private final AtomicInteger last = new AtomicInteger(-1);

    RoundRobinScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    @Override
    public D pick(PickContext context) {
        int n = destinations.size();
        while (true) {
            int previous = last.get();
            int index = previous;
            D found = null;
            for (int i = 0; i < n; i++) {
                index = index + 1 >= n ? 0 : index + 1;
                D d = destinations.get(index);
                if (d.weight() > 0 && context.usable(d)) {
                    found = d;
                    break;
                }
            }
            if (found == null) {
                return null;
            }
            // Another event loop may have advanced the position meanwhile; redo so no two picks share a turn.
            if (last.compareAndSet(previous, index)) {
                return found;
            }
        }
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.RR;
    }
}
