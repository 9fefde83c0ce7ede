package io.switchboard.scheduler;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Random ({@code random}): each connection goes to an available destination drawn with probability
 * proportional to its weight. With the default weights this is kube-proxy's iptables and nftables
 * behaviour, a uniform draw over ready endpoints.
 */
final class RandomScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    private final RandomGenerator random;

    RandomScheduler(List<D> destinations, RandomGenerator random) {
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
        int r = random.nextInt(total);
        D lastUsable = null;
        for (D d : destinations) {
            int w = d.weight();
            if (w <= 0 || !context.usable(d)) {
                continue;
            }
            lastUsable = d;
            r -= w;
            if (r < 0) {
                return d;
            }
        }
        // Availability changed while drawing; the last usable destination keeps the pick valid.
        return lastUsable;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.RANDOM;
    }
}
