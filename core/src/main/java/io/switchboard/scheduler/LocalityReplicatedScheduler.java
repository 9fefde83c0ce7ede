package io.switchboard.scheduler;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Locality-based least connection with replication ({@code lblcr}), as {@code ip_vs_lblcr.c}: each
 * destination address maps to a set of destinations; a connection goes to the set member with the
 * least weighted overhead. If the set is empty or that member is overloaded (more active connections
 * than its weight while another destination is below half of its weight), weighted least connection
 * picks from all destinations and the choice joins the set. When a set of several has not changed
 * for the expiration time, its most loaded member is dropped; a mapping unused that long is
 * forgotten.
 */
final class LocalityReplicatedScheduler<D extends Destination> implements Scheduler<D> {

    private final List<D> destinations;
    private final LongSupplier nanoTime;
    private final long expirationNanos;
    private final ConcurrentHashMap<InetAddress, Entry<D>> table = new ConcurrentHashMap<>();

    LocalityReplicatedScheduler(List<D> destinations, LongSupplier nanoTime, long expirationNanos) {
        this.destinations = List.copyOf(destinations);
        this.nanoTime = nanoTime;
        this.expirationNanos = expirationNanos;
    }

    @Override
    public D pick(PickContext context) {
        long now = nanoTime.getAsLong();
        InetAddress key = context.serviceAddress();
        Entry<D> entry = table.get(key);
        if (entry == null || now - entry.lastUse > expirationNanos) {
            D chosen = WeightedLeastConnectionScheduler.leastWeightedOverhead(destinations, context);
            if (chosen != null) {
                table.put(key, new Entry<>(new Members<>(List.of(chosen), now), now));
            }
            return chosen;
        }
        entry.lastUse = now;
        Members<D> members = entry.members.get();
        D least = members.least(context);
        if (members.destinations.size() > 1 && now - members.lastModified > expirationNanos) {
            entry.members.compareAndSet(members, members.withoutMostLoaded(now));
        }
        if (least != null && !LocalityOverload.isOverloaded(least, destinations)) {
            return least;
        }
        D chosen = WeightedLeastConnectionScheduler.leastWeightedOverhead(destinations, context);
        if (chosen == null) {
            return null;
        }
        entry.members.updateAndGet(m -> m.with(chosen, now));
        return chosen;
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.LBLCR;
    }

    /** An immutable destination set and when it last changed. */
    private record Members<D extends Destination>(List<D> destinations, long lastModified) {

        /** The set's least loaded member, by the wlc rule (the kernel's ip_vs_dest_set_min). */
        D least(PickContext context) {
            return WeightedLeastConnectionScheduler.leastWeightedOverhead(destinations, context);
        }

        Members<D> with(D d, long now) {
            for (D member : destinations) {
                if (member == d) {
                    return this;
                }
            }
            List<D> copy = new ArrayList<>(destinations.size() + 1);
            copy.add(d);
            copy.addAll(destinations);
            return new Members<>(List.copyOf(copy), now);
        }

        Members<D> withoutMostLoaded(long now) {
            D most = null;
            long mostOverhead = 0;
            for (D d : destinations) {
                if (d.weight() <= 0) {
                    continue;
                }
                long overhead = Destination.overhead(d);
                if (most == null || mostOverhead * d.weight() < overhead * most.weight()) {
                    most = d;
                    mostOverhead = overhead;
                }
            }
            if (most == null) {
                return this;
            }
            List<D> copy = new ArrayList<>(destinations);
            copy.remove(most);
            return new Members<>(List.copyOf(copy), now);
        }
    }

    private static final class Entry<D extends Destination> {
        final AtomicReference<Members<D>> members;
        volatile long lastUse;

        Entry(Members<D> members, long lastUse) {
            this.members = new AtomicReference<>(members);
            this.lastUse = lastUse;
        }
    }
}
