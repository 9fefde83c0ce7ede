package io.switchboard.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the heap the first load needed, once it is in effect. Reading 50,000 Services grows the
 * heap to ~1 GB while the live set after it is ~300 MB, and G1 returns memory only after a marking
 * cycle: its periodic collection starts one 10 to 20 s after the last collection (it checks once per
 * interval), while the load's own collections are over when the first sync is. So one concurrent
 * cycle is asked for right after the first load, on a thread of its own, and only when
 * {@code -XX:+ExplicitGCInvokesConcurrent} is set (the launcher sets it): without that flag
 * {@link System#gc()} would stop the world for a full collection, which is not worth it.
 */
final class HeapTrim {

    private static final Logger LOG = LoggerFactory.getLogger(HeapTrim.class);

    private final Supplier<Boolean> concurrent;
    private final Runnable gc;
    private boolean done;

    HeapTrim() {
        this(HeapTrim::explicitGcIsConcurrent, System::gc);
    }

    /** A trim that asks {@code concurrent} whether it may run and runs {@code gc} (tests pass their own). */
    HeapTrim(Supplier<Boolean> concurrent, Runnable gc) {
        this.concurrent = concurrent;
        this.gc = gc;
    }

    /** Called after each sync; the first call that finds the proxy ready starts the trim. Sync thread only. */
    void afterSync(boolean ready) {
        if (done || !ready) {
            return;
        }
        done = true;
        if (!concurrent.get()) {
            return;
        }
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            gc.run();
            LOG.atDebug().addKeyValue("millis", (System.nanoTime() - start) / 1_000_000)
                    .log("heap trimmed after the first load");
        }, "switchboard-heap-trim");
        t.setDaemon(true);
        t.start();
    }

    /** Whether {@link System#gc()} starts a concurrent cycle rather than a full collection. */
    static boolean explicitGcIsConcurrent() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotspot != null && Boolean.parseBoolean(hotspot.getVMOption("ExplicitGCInvokesConcurrent").getValue());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // Not HotSpot, or no such option: no trim, which only leaves the heap to the periodic collection.
            LOG.atDebug().addKeyValue("cause", e.toString()).log("cannot tell how System.gc() collects; no heap trim");
            return false;
        }
    }
}
