package io.switchboard.scheduler;

import java.util.Arrays;
import java.util.List;

/**
 * Maglev hashing ({@code mh}), as {@code ip_vs_mh.c} after the Maglev paper (Eisenbud et al., NSDI
 * 2016, section 3.4): each destination gets a permutation of the table positions from two hashes of
 * its address and port ({@code offset}, {@code skip}); destinations take turns claiming their next
 * free preferred position, a destination taking {@code weight / gcd} turns per round, until the
 * prime-sized table is full. A connection goes to the entry of its hashed client address (and port,
 * with {@code mh-port}), or for HTTP of the request's hash key (a header, a cookie) when one is
 * configured. Removing one of N destinations moves only about 1/N of the table. If the
 * entry's destination is unavailable the connection is refused, or with {@code mh-fallback} other
 * hashes of the client are tried in turn.
 */
final class MaglevScheduler<D extends Destination> implements Scheduler<D> {

    /** The kernel's default table size ({@code CONFIG_IP_VS_MH_TAB_INDEX} 12). */
    static final int DEFAULT_TABLE_SIZE = 4093;
    /** The kernel limits turns per round to this many bits of weight. */
    private static final int WEIGHT_BITS = 6;
    private static final long OFFSET_KEY = 0x9E3779B97F4A7C15L;
    private static final long SKIP_KEY = 0xC2B2AE3D27D4EB4FL;

    private final Object[] lookup;
    private final boolean fallback;
    private final boolean hashPort;

    MaglevScheduler(List<D> destinations, int tableSize, boolean fallback, boolean hashPort) {
        if (tableSize < 2 || !java.math.BigInteger.valueOf(tableSize).isProbablePrime(30)) {
            throw new IllegalArgumentException("Maglev table size must be a prime, got " + tableSize);
        }
        this.lookup = new Object[tableSize];
        this.fallback = fallback;
        this.hashPort = hashPort;
        populate(destinations);
    }

    private void populate(List<D> destinations) {
        int m = lookup.length;
        int n = destinations.size();
        int gcd = 0;
        int maxWeight = 0;
        for (D d : destinations) {
            int w = d.weight();
            if (w > 0) {
                gcd = gcd == 0 ? w : WeightedRoundRobinScheduler.gcd(gcd, w);
                maxWeight = Math.max(maxWeight, w);
            }
        }
        if (gcd == 0) {
            return;
        }
        int shift = Math.max(0, (32 - Integer.numberOfLeadingZeros(maxWeight / gcd)) - WEIGHT_BITS);
        int[] offset = new int[n];
        int[] skip = new int[n];
        int[] turns = new int[n];
        for (int i = 0; i < n; i++) {
            D d = destinations.get(i);
            long key = destinationKey(d);
            offset[i] = Hashing.keyedMod(key, OFFSET_KEY, m);
            skip[i] = Hashing.keyedMod(key, SKIP_KEY, m - 1) + 1;
            int w = d.weight();
            int t = (w / gcd) >> shift;
            turns[i] = t != 0 ? t : (w != 0 ? 1 : 0);
        }
        int[] owners = populate(m, offset, skip, turns);
        for (int c = 0; c < m; c++) {
            lookup[c] = destinations.get(owners[c]);
        }
    }

    /**
     * Fills a table of prime size {@code m}: destinations take turns (destination {@code i} takes
     * {@code turns[i]} per round) claiming the next free position of their permutation
     * {@code offset, offset + skip, offset + 2 skip, ... (mod m)}. Returns the owner index of every
     * position. At least one destination must have a turn.
     */
    static int[] populate(int m, int[] offset, int[] skip, int[] turns) {
        int n = offset.length;
        int[] next = offset.clone();
        int[] owners = new int[m];
        boolean[] taken = new boolean[m];
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (int turn = 0; turn < turns[i]; turn++) {
                    int c = next[i];
                    while (taken[c]) {
                        c += skip[i];
                        if (c >= m) {
                            c -= m;
                        }
                    }
                    next[i] = c;
                    taken[c] = true;
                    owners[c] = i;
                    if (++filled == m) {
                        return owners;
                    }
                }
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public D pick(PickContext context) {
        int m = lookup.length;
        int port = hashPort ? context.clientPort() : 0;
        // An HTTP hash key (header or cookie) stands in for the client address.
        int address = context.hashed() ? (int) (context.hashKey() ^ (context.hashKey() >>> 32))
                : context.foldedClientAddress();
        int home = Hashing.keyedMod(Integer.toUnsignedLong(port + address), OFFSET_KEY, m);
        D d = (D) lookup[home];
        if (d == null) {
            return null;
        }
        if (available(d, context)) {
            return d;
        }
        if (!fallback) {
            return null;
        }
        for (int offset = 0; offset < m; offset++) {
            int roffset = (offset + home) % m;
            int h = Hashing.keyedMod(Integer.toUnsignedLong(roffset + port + address), OFFSET_KEY, m);
            D other = (D) lookup[h];
            if (available(other, context)) {
                return other;
            }
        }
        return null;
    }

    /** A copy of the lookup table, for tests and the admin view. */
    Object[] table() {
        return Arrays.copyOf(lookup, lookup.length);
    }

    private static boolean available(Destination d, PickContext context) {
        return d.weight() > 0 && context.usable(d);
    }

    private static long destinationKey(Destination d) {
        return Integer.toUnsignedLong(d.port() + PickContext.fold(d.address()));
    }

    @Override
    public Algorithm algorithm() {
        return Algorithm.MH;
    }
}
