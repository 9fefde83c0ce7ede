package io.switchboard.dataplane.http;

import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timeouts of one event loop's exchanges that are set for a fixed duration and nearly always
 * cancelled before they pass: a try's wait for its response, a request body's wait for its next
 * part, a Service's request timeout. Rather than a scheduled task per timeout (an allocation, a
 * priority-queue insertion and a removal for every request), timeouts of one duration form a lane,
 * a list in the order they were set, which is the order they pass; setting one links it at the
 * lane's end and cancelling it unlinks it, and one scheduled task per lane wakes when the lane's
 * earliest timeout may have passed, runs every one that has, and sleeps until the next. Used on its
 * loop only.
 */
final class Timeouts {

    private static final Logger LOG = LoggerFactory.getLogger(Timeouts.class);

    private final EventLoop loop;
    private final LongSupplier clock;
    private final Map<Long, Lane> lanes = new HashMap<>();
    /**
     * Lanes used lately, looked at before the map: a loop's timeouts have the few durations of its
     * Services' settings (a try's, a body's, a request's), so this spares the map's boxed key.
     */
    private final Lane[] recent = new Lane[4];
    private int nextRecent;

    /** Timeouts on {@code loop}, timed by {@code clock} (nanoseconds, the loop's own in production). */
    Timeouts(EventLoop loop, LongSupplier clock) {
        this.loop = loop;
        this.clock = clock;
    }

    /** Timeouts on {@code loop}, timed by {@link System#nanoTime()}. */
    Timeouts(EventLoop loop) {
        this(loop, System::nanoTime);
    }

    /**
     * One timeout, set and cancelled again and again by its owner, which says in {@link #run} what
     * passing does; at most one lane holds it at a time. An owner that is its own timeout allocates
     * nothing per timeout.
     */
    abstract static class Timeout implements Runnable {
        private Lane lane;
        private Timeout prev;
        private Timeout next;
        private long due;

        boolean isSet() {
            return lane != null;
        }
    }

    /** A timeout that runs {@code action}. */
    static Timeout of(Runnable action) {
        return new Timeout() {
            @Override
            public void run() {
                action.run();
            }
        };
    }

    /** Sets {@code t} to pass {@code nanos} from now (cancelling it first if it was set); 0 or less only cancels. */
    void set(Timeout t, long nanos) {
        cancel(t);
        if (nanos <= 0) {
            return;
        }
        lane(nanos).add(t, clock.getAsLong() + nanos);
    }

    private Lane lane(long nanos) {
        for (Lane l : recent) {
            if (l != null && l.duration == nanos) {
                return l;
            }
        }
        Lane lane = lanes.get(nanos);
        if (lane == null) {
            lane = new Lane(nanos);
            lanes.put(nanos, lane);
        }
        recent[nextRecent] = lane;
        nextRecent = (nextRecent + 1) % recent.length;
        return lane;
    }

    /** Cancels {@code t}, if it is set. */
    void cancel(Timeout t) {
        if (t.lane != null) {
            t.lane.remove(t);
        }
    }

    /** How many lanes there are: one per duration with a timeout set or a wake-up pending. */
    int lanes() {
        return lanes.size();
    }

    /** The timeouts of one duration, earliest first, and the wake-up for them. */
    private final class Lane implements Runnable {
        final long duration;
        Timeout head;
        Timeout tail;
        /** A wake-up is scheduled or running; at most one per lane, for a time no later than the head's. */
        boolean awake;

        Lane(long duration) {
            this.duration = duration;
        }

        void add(Timeout t, long due) {
            t.lane = this;
            t.due = due;
            t.prev = tail;
            t.next = null;
            if (tail == null) {
                head = t;
            } else {
                tail.next = t;
            }
            tail = t;
            if (!awake) {
                wakeIn(due - clock.getAsLong());
            }
        }

        void remove(Timeout t) {
            if (t.prev == null) {
                head = t.next;
            } else {
                t.prev.next = t.next;
            }
            if (t.next == null) {
                tail = t.prev;
            } else {
                t.next.prev = t.prev;
            }
            t.prev = null;
            t.next = null;
            t.lane = null;
        }

        private void wakeIn(long nanos) {
            awake = true;
            loop.schedule(this, Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }

        @Override
        public void run() {
            // Awake while it runs: an action that sets a timeout of this lane (a retry's next try) must
            // not schedule the wake-up for its own, later time, past the ones already waiting.
            long now = clock.getAsLong();
            // Each is unlinked before its action runs, which may set it (or another of this lane) anew.
            while (head != null && head.due - now <= 0) {
                Timeout t = head;
                remove(t);
                try {
                    t.run();
                } catch (RuntimeException e) {
                    // One action's failure must not stop the lane: the others' deadlines still pass.
                    LOG.error("a timeout's action failed (a lane of {} ms timeouts on {})",
                            TimeUnit.NANOSECONDS.toMillis(duration), loop, e);
                }
            }
            awake = false;
            if (head != null) {
                wakeIn(head.due - clock.getAsLong());
            } else {
                // Nothing waits and no wake-up is pending: the lane goes, so durations seen once do not pile up.
                lanes.remove(duration);
                for (int i = 0; i < recent.length; i++) {
                    if (recent[i] == this) {
                        recent[i] = null;
                    }
                }
            }
        }
    }
}
