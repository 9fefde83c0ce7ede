package io.switchboard.scheduler;

import java.util.List;

/**
 * Source hashing ({@code sh}), as {@code ip_vs_sh.c}: a 256-bucket table is filled by walking the
 * destinations, giving each as many consecutive buckets as its weight; a connection goes to the
 * bucket {@code hash_32(port + address)} of its client address (and port, with {@code sh-port}).
 * If that destination is unavailable the connection is refused, or with {@code sh-fallback} the
 * following buckets are tried in turn.
 */
final class SourceHashingScheduler<D extends Destination> implements Scheduler<D> {

    static final int TABLE_BITS = 8;
    static final int TABLE_SIZE = 1 << TABLE_BITS;

    private final Object[] buckets = new Object[TABLE_SIZE];
    private final boolean fallback;
    private final boolean hashPort;

    SourceHashingScheduler(List<D> destinations, boolean fallback, boolean hashPort) {
        this.fallback = fallback;
        this.hashPort = hashPort;
        if (destinations.isEmpty()) {
            return;
        }
        int next = 0;
        int count = 0;
        for (int i = 0; i < TABLE_SIZE; i++) {
            D d = destinations.get(next);
            buckets[i] = d;
            if (++count >= d.weight()) {
                next = (next + 1) % destinations.size();
                count = 0;
            }
        }
    }

    @Override
    public D pick(PickContext context) {
        int port = hashPort ? context.clientPort() : 0;
        int home = Hashing.hash32(port + context.foldedClientAddress(), TABLE_BITS);
        D d = bucket(home);
        if (d == null) {
            return null;
        }
        if (available(d, context)) {
            return d;
        }
        if (!fallback) {
            return null;
        }
        for (int offset = 1; offset < TABLE_SIZE; offset++) {
            D other = bucket((home + offset) & (TABLE_SIZE - 1));
            if (available(other, context)) {
                return other;
            }
        }
        return null;
    }

    /** The destination in bucket {@code i}, for tests. */
    @SuppressWarnings("unchecked")
    D bucket(int i) {
        return (D) buckets[i];
    }

    private static boolean available(Destination d, PickContext context) {
        return d.weight() > 0 && context.usable(d);
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.SH;
    }
}
