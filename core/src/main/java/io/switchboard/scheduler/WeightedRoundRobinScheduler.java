package io.switchboard.scheduler;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted round robin ({@code wrr}), the classic LVS sequence of {@code ip_vs_wrr.c}: a current
 * weight {@code cw} starts at the maximum weight; the list is walked from the last choice and the
 * next destination whose weight is at least {@code cw} is chosen; each time the walk wraps,
 * {@code cw} drops by the gcd of the weights, and restarts at the maximum once it reaches zero.
 * Weights 4, 3, 2 give A A B A B C A B C.
 */
final class WeightedRoundRobinScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    private final int gcd;
    private final int maxWeight;
    /** Bound on the walk when no destination qualifies at any current weight. */
    private final int maxSteps;
    /** Packed state: index of the last choice (high 32 bits, -1 = list head) and current weight (low 32). */
    private final AtomicLong state;

    WeightedRoundRobinScheduler(List<D> destinations) {
        this.destinations = List.copyOf(destinations);
        int g = 0;
        int max = 0;
        for (D d : this.destinations) {
            int w = d.weight();
            if (w > 0) {
                g = g == 0 ? w : gcd(g, w);
            }
            max = Math.max(max, w);
        }
        this.gcd = g == 0 ? 1 : g;
        this.maxWeight = max - (this.gcd - 1);
        int levels = maxWeight <= 0 ? 1 : maxWeight / this.gcd + 1;
        this.maxSteps = (this.destinations.size() + 1) * (levels + 1);
        this.state = new AtomicLong(pack(-1, maxWeight));
    }

    @Override
    public D pick(PickContext context) {
        if (maxWeight <= 0) {
            return null;
        }
        int n = destinations.size();
        while (true) {
            long s = state.get();
            int index = (int) (s >> 32);
            int cw = (int) s;
            D found = null;
            for (int step = 0; step < maxSteps; step++) {
                index++;
                if (index >= n) {
                    index = -1;
                    cw -= gcd;
                    if (cw <= 0) {
                        cw = maxWeight;
                    }
                    continue;
                }
                D d = destinations.get(index);
                if (context.usable(d) && d.weight() >= cw) {
                    found = d;
                    break;
                }
            }
            if (found == null) {
                return null;
            }
            if (state.compareAndSet(s, pack(index, cw))) {
                return found;
            }
        }
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.WRR;
    }

    private static long pack(int index, int cw) {
        return ((long) index << 32) | (cw & 0xffffffffL);
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
