package io.switchboard.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as an operator (or the kubelet) means them: the first asks for a drain, a
 * second for a stop at once, which interrupts the thread that drains. The JVM's own handling would
 * run shutdown hooks on the first and ignore the second, so these signals are taken over (through
 * {@code sun.misc.Signal}, the JDK's only way to handle a signal).
 */
final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private final CountDownLatch first = new CountDownLatch(1);
    private final AtomicInteger received = new AtomicInteger();
    private final Thread stopper;

    private StopSignals(Thread stopper) {
        this.stopper = stopper;
    }

    /** Handles TERM and INT from now on; a second one interrupts {@code stopper}. */
    static StopSignals install(Thread stopper) {
        StopSignals s = new StopSignals(stopper);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s::received);
        }
        return s;
    }

    private void received(Signal signal) {
        int n = received.incrementAndGet();
        if (n == 1) {
            LOG.atInfo().addKeyValue("signal", "SIG" + signal.getName()).log("stop requested: draining");
            first.countDown();
        } else {
            LOG.atWarn().addKeyValue("signal", "SIG" + signal.getName()).log("second stop signal: stopping now");
            stopper.interrupt();
        }
    }

    /** Blocks until the first signal. */
    void awaitFirst() throws InterruptedException {
        first.await();
    }
}
