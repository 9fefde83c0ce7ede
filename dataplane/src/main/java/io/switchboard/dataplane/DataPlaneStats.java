package io.switchboard.dataplane;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the data plane as a whole, for what no Service owns. */
public final class DataPlaneStats {

    private final LongAdder unrouted = new LongAdder();

    /** A connection or datagram reached a listener on an address no Service serves. */
    public void unrouted() {
        unrouted.increment();
    }

    /** How many connections or datagrams arrived for no Service. */
    public long unroutedCount() {
        return unrouted.sum();
    }
}
