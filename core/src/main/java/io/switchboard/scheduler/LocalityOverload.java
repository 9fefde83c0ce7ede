package io.switchboard.scheduler;

import java.util.List;

/** The overload test the locality-based schedulers share. */
final class LocalityOverload {

    private LocalityOverload() {
    }

    /**
     * True when {@code d} has more active connections than its weight while some destination is
     * below half of its own weight, the rule {@code is_overloaded()} of {@code ip_vs_lblc.c}.
     */
    static boolean isOverloaded(Destination d, List<? extends Destination> all) {
        if (d.activeConnections() > d.weight()) {
            for (Destination other : all) {
                if (other.activeConnections() * 2 < other.weight()) {
                    return true;
                }
            }
        }
        return false;
    }
}
