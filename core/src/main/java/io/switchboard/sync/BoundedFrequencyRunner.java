package io.switchboard.sync;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one function on its own thread, never more often than a minimum interval and at least every
 * maximum interval, retrying failures; see {@link RunPlan} for the rule. {@link #request()} never
 * blocks, so event handlers and file watchers can call it freely.
 */
public final class BoundedFrequencyRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedFrequencyRunner.class);

    private final String name;
    private final Runnable task;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@code lock}. */
    private final RunPlan plan;
    /** Guarded by {@code lock}. */
    private boolean stopped;
    private final Thread thread;

    /**
     * A runner; call {@link #start()} to begin.
     *
     * @param name  names the thread and log lines
     * @param task  the function; an exception counts as a failed run
     */
    public BoundedFrequencyRunner(String name, Runnable task, Duration minInterval, Duration maxInterval,
                                  Duration retryInterval) {
        this.name = Objects.requireNonNull(name, "name");
        this.task = Objects.requireNonNull(task, "task");
        this.plan = new RunPlan(minInterval, maxInterval, retryInterval);
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    /** Starts the thread. */
    public void start() {
        thread.start();
    }

    /** Asks for a run as soon as the minimum interval allows. */
    public void request() {
        lock.lock();
        try {
            plan.request(System.nanoTime());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            lock.lock();
            try {
                while (true) {
                    if (stopped) {
                        return;
                    }
                    long wait = plan.nextRunAt() - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    changed.awaitNanos(Math.min(wait, TimeUnit.SECONDS.toNanos(60)));
                }
                plan.started(System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            boolean ok = true;
            try {
                task.run();
            } catch (RuntimeException e) {
                ok = false;
                LOG.atError().setCause(e).addKeyValue("runner", name).log("run failed; will retry");
            }
            lock.lock();
            try {
                plan.finished(System.nanoTime(), ok);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Stops the thread after any run in progress. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
