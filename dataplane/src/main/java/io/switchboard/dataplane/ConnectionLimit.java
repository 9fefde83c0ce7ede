package io.switchboard.dataplane;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cap on open client connections over all TCP listeners, as HAProxy's {@code maxconn}: at the
 * cap the listeners stop accepting, so further clients wait in the kernel's accept queue instead of
 * the process running out of file descriptors (which would also break reading configuration and
 * serving the admin API); accepting resumes as soon as one closes. There is no hysteresis band: after
 * a flood the accept queue holds clients that have already given up, and each slot freed must take
 * the next one at once, or a real client behind them waits for seconds (a pause and a resume at the
 * cap cost one change of interest each, far less than that wait).
 */
public final class ConnectionLimit {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);
    /** Descriptors kept for listeners, configuration files, the admin server and the JVM itself. */
    static final int RESERVED_DESCRIPTORS = 512;

    private final int max;
    private final int resumeAt;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final LongAdder pauses = new LongAdder();
    private volatile Consumer<Boolean> accepting = a -> { };
    /** When a pause was last logged: under sustained overload the cap may pause many times a second. */
    private volatile long lastLog = System.nanoTime() - LOG_INTERVAL_NANOS;
    private static final long LOG_INTERVAL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /** A limit of {@code max} open client connections (at least 1). */
    public ConnectionLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the connection limit must be at least 1, got " + max);
        }
        this.max = max;
        this.resumeAt = max - 1;
    }

    /**
     * The default for this process: what its open-file limit leaves after the UDP flows (a socket
     * each) and a reserve, at two descriptors per relayed connection (client and endpoint).
     */
    public static int defaultFor(int maxUdpFlows) {
        long files = 4096;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            files = unix.getMaxFileDescriptorCount();
        }
        long left = files - maxUdpFlows - RESERVED_DESCRIPTORS;
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, left / 2));
    }

    /** Where to switch accepting off and on (the listener manager). */
    void onAcceptingChange(Consumer<Boolean> listener) {
        this.accepting = listener;
    }

    /** A client connection was accepted. */
    void opened() {
        if (open.incrementAndGet() >= max) {
            pause();
        }
    }

    /** A client connection closed. */
    void closed() {
        if (open.decrementAndGet() <= resumeAt) {
            resume();
        }
    }

    private void pause() {
        if (paused.compareAndSet(false, true)) {
            accepting.accept(false);
            pauses.increment();
            long now = System.nanoTime();
            if (now - lastLog >= LOG_INTERVAL_NANOS) {
                lastLog = now;
                LOG.atWarn().addKeyValue("max", max).addKeyValue("resumeAt", resumeAt).addKeyValue("pauses", pauses.sum())
                        .log("connection limit reached; new clients wait in the accept queue (logged at most every 10 s)");
            }
            // A close may have slipped in before the pause took effect.
            if (open.get() <= resumeAt) {
                resume();
            }
        }
    }

    private void resume() {
        if (paused.compareAndSet(true, false)) {
            accepting.accept(true);
            LOG.atDebug().addKeyValue("open", open.get()).log("accepting connections again");
            if (open.get() >= max) {
                pause();
            }
        }
    }

    /**
     * Whether client connections are within a tenth of the cap: where a client that gives up before
     * being served should free its slot at once.
     */
    public boolean crowded() {
        return open.get() >= max - Math.max(1, max / 10);
    }

    /** The cap. */
    public int max() {
        return max;
    }

    /** Client connections open now. */
    public int open() {
        return open.get();
    }

    /** Times the cap stopped accepting. */
    public long pauses() {
        return pauses.sum();
    }
}
