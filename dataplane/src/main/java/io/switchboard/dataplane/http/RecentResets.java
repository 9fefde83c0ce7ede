package io.switchboard.dataplane.http;

import java.util.Arrays;

/**
 * The streams of one HTTP/2 client connection that the proxy reset most recently while the client
 * could still send on them, so that what the client already had in flight on them can be ignored,
 * as RFC 9113 section 5.1 requires ("an endpoint MUST ignore frames that it receives on closed
 * streams after it has sent a RST_STREAM frame"), rather than answered as an error.
 *
 * <p>Both bounds are the limit the same section allows an endpoint to put on that period. The last
 * {@value #CAPACITY} resets are remembered: more than the 100 streams a client may have open, so
 * resetting all of them at once forgets none. Each absorbs at most {@value #FRAMES_PER_STREAM}
 * frames, a full 1 MiB stream window sent in 1 KiB frames: a client that goes on sending past
 * what its window allowed is in error again, and what answers errors counts it as abuse.
 *
 * <p>Used on its connection's event loop only. A connection that never resets a stream holds no
 * array; one that does, at most {@value #CAPACITY} entries of 8 bytes. Looking a stream up scans
 * the entries, which happens only for a frame on a stream the codec no longer knows.
 */
final class RecentResets {

    /** Resets remembered; the oldest is forgotten first. */
    static final int CAPACITY = 128;
    /** Frames each reset stream may absorb. */
    static final int FRAMES_PER_STREAM = 1024;
    private static final int INITIAL_ENTRIES = 16;

    private final int capacity;
    private final int framesPerStream;
    /** Per entry: the stream id (low 32 bits) and the frames it may still absorb (high 32 bits). */
    private long[] entries;
    private int size;
    /** Once full: the entry to overwrite next, the oldest. */
    private int oldest;

    RecentResets() {
        this(CAPACITY, FRAMES_PER_STREAM);
    }

    RecentResets(int capacity, int framesPerStream) {
        if (capacity <= 0 || framesPerStream < 0) {
            throw new IllegalArgumentException("capacity " + capacity + ", frames per stream " + framesPerStream);
        }
        this.capacity = capacity;
        this.framesPerStream = framesPerStream;
    }

    /** Remembers that {@code streamId} was reset by the proxy. */
    void add(int streamId) {
        long entry = ((long) framesPerStream << 32) | (streamId & 0xffffffffL);
        if (entries == null) {
            entries = new long[Math.min(INITIAL_ENTRIES, capacity)];
        }
        if (size == entries.length && size < capacity) {
            entries = Arrays.copyOf(entries, Math.min(2 * size, capacity));
        }
        if (size < entries.length) {
            entries[size++] = entry;
            return;
        }
        entries[oldest] = entry;
        oldest = (oldest + 1) % capacity;
    }

    /**
     * Whether a frame that arrived on {@code streamId} is to be ignored: true when the stream is one
     * the proxy reset recently and has frames left to absorb (one is used up).
     */
    boolean absorb(int streamId) {
        for (int i = 0; i < size; i++) {
            long e = entries[i];
            if ((int) e == streamId) {
                if ((e >>> 32) == 0) {
                    return false;
                }
                entries[i] = e - (1L << 32);
                return true;
            }
        }
        return false;
    }
}
