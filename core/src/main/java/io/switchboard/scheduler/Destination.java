package io.switchboard.scheduler;

/**
 * What a scheduler may know about an endpoint: its weight, its connection counts, and whether it is
 * available. An unavailable destination is skipped the way IPVS skips one flagged overloaded.
 * Implementations may change counts concurrently; schedulers read each value once per decision.
 */
public interface Destination {

    /** The address connections are relayed to; the hashing schedulers derive a destination's place from it. */
    java.net.InetAddress address();

    /** The port connections are relayed to. */
    int port();

    /** The configured weight; 0 drains the destination (no new connections). */
    int weight();

    /** Connections established in both directions. */
    int activeConnections();

    /** Connections still open but closing (one direction finished). */
    int inactiveConnections();

    /** False while health checking or passive failure detection holds the destination down. */
    boolean isAvailable();

    /** Requests in flight, for the request-level schedulers; connection schedulers do not use it. */
    default int inFlightRequests() {
        return activeConnections();
    }

    /** The peak-EWMA latency estimate in nanoseconds, 0 while unknown. */
    default double latencyEstimate() {
        return 0;
    }

    /** IPVS's load estimate, {@code (active << 8) + inactive}, used by the least-connection family. */
    static int overhead(Destination d) {
        return (d.activeConnections() << 8) + d.inactiveConnections();
    }
}
