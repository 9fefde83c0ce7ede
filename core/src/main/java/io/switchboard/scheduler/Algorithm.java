package io.switchboard.scheduler;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The scheduling algorithms, named as {@code ipvsadm -s} names them, plus {@code random} (kube-proxy's
 * iptables and nftables modes) and {@code p2c} (power of two choices on active connections).
 */
public enum Algorithm {
    /** Round robin. */
    RR,
    /** Weighted round robin. */
    WRR,
    /** Least connection. */
    LC,
    /** Weighted least connection. */
    WLC,
    /** Locality-based least connection. */
    LBLC,
    /** Locality-based least connection with replication. */
    LBLCR,
    /** Destination hashing. */
    DH,
    /** Source hashing. */
    SH,
    /** Shortest expected delay. */
    SED,
    /** Never queue. */
    NQ,
    /** Weighted failover. */
    FO,
    /** Weighted overflow. */
    OVF,
    /** Maglev hashing. */
    MH,
    /** Weighted random of two choices. */
    TWOS,
    /** Weighted random. */
    RANDOM,
    /** Power of two choices. */
    P2C,
    /** Power of two choices on in-flight requests (HTTP). */
    LEAST_REQUEST,
    /** Peak exponentially weighted moving average of latency (HTTP). */
    EWMA;

    /** The lower-case name used in annotations. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The algorithm with this name, or an exception listing the valid names. */
    public static Algorithm fromId(String id) {
        for (Algorithm a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown scheduler \"" + id + "\"; expected one of "
                + Arrays.stream(values()).map(Algorithm::id).collect(Collectors.joining(", ")));
    }
}
