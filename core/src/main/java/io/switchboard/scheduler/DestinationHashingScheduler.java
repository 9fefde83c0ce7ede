package io.switchboard.scheduler;

import java.util.List;

/**
 * Destination hashing ({@code dh}), as {@code ip_vs_dh.c}: a 256-bucket table is filled with the
 * destinations in turn, one bucket each, and a connection goes to the bucket of its destination
 * address, {@code (address * 2654435761) mod 256}. That destination is the Service address the
 * client used, so each Service address sticks to one endpoint. An unavailable destination refuses.
 */
final class DestinationHashingScheduler<D extends Destination> implements Scheduler<D> {

    static final int TABLE_SIZE = 256;

    private final Object[] buckets = new Object[TABLE_SIZE];

    DestinationHashingScheduler(List<D> destinations) {
        if (destinations.isEmpty()) {
            return;
        }
        for (int i = 0; i < TABLE_SIZE; i++) {
            buckets[i] = destinations.get(i % destinations.size());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public D pick(PickContext context) {
        int index = (context.foldedServiceAddress() * (int) 2654435761L) & (TABLE_SIZE - 1);
        D d = (D) buckets[index];
        if (d == null || d.weight() <= 0 || !context.usable(d)) {
            return null;
        }
        return d;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.DH;
    }
}
