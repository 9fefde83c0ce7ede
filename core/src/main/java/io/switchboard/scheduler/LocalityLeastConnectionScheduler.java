package io.switchboard.scheduler;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Locality-based least connection ({@code lblc}), as {@code ip_vs_lblc.c}: each destination address
 * of a connection is remembered with the destination it was sent to, and later connections to the
 * same address go there too unless it is unavailable, drained, or overloaded (more active
 * connections than its weight while another is below half of its weight); then weighted least
 * connection picks anew and the mapping is replaced. A mapping unused for the expiration time (24 h
 * by default) is forgotten. In a Service proxy the destination address is the Service address the
 * client used.
 */
final class LocalityLeastConnectionScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    private final LongSupplier nanoTime;
    private final long expirationNanos;
    private final ConcurrentHashMap<InetAddress, Entry<D>> table = new ConcurrentHashMap<>();

    LocalityLeastConnectionScheduler(List<D> destinations, LongSupplier nanoTime, long expirationNanos) {
        this.destinations = List.copyOf(destinations);
        this.nanoTime = nanoTime;
        this.expirationNanos = expirationNanos;
    }

    @Override
    public D pick(PickContext context) {
        long now = nanoTime.getAsLong();
        InetAddress key = context.serviceAddress();
        Entry<D> entry = table.get(key);
        if (entry != null && now - entry.lastUse <= expirationNanos) {
            entry.lastUse = now;
            D d = entry.destination;
            if (d.weight() > 0 && context.usable(d) && !LocalityOverload.isOverloaded(d, destinations)) {
                return d;
            }
        }
        D chosen = WeightedLeastConnectionScheduler.leastWeightedOverhead(destinations, context);
        if (chosen != null) {
            table.put(key, new Entry<>(chosen, now));
        }
        return chosen;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.LBLC;
    }

    private static final class Entry<D> {
        final D destination;
        volatile long lastUse;

        Entry(D destination, long lastUse) {
            this.destination = destination;
            this.lastUse = lastUse;
        }
    }
}
