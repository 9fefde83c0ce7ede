package io.switchboard.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty reports a leaked buffer during it. Every buffer is tracked
 * (paranoid level); after the class, garbage is collected and buffers are allocated so that the
 * detector reports what was collected unreleased. Registered for every test by service loading.
 */
public final class NoBufferLeaks implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final Appender APPENDER = new Appender();

    @Override
    public void beforeAll(ExtensionContext context) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        Logger detector = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        if (detector.getAppender(Appender.NAME) == null) {
            APPENDER.setContext(detector.getLoggerContext());
            APPENDER.start();
            detector.addAppender(APPENDER);
        }
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int round = 0; round < 3 && LEAKS.isEmpty(); round++) {
            System.gc();
            Thread.sleep(50);
            // The detector reports collected leaks when it next tracks a buffer.
            for (int i = 0; i < 64; i++) {
                ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
                b.release();
            }
        }
        if (!LEAKS.isEmpty()) {
            throw new AssertionError(LEAKS.size() + " leaked buffer(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n", LEAKS));
        }
    }

    private static final class Appender extends AppenderBase<ILoggingEvent> {
        static final String NAME = "buffer-leaks";

        Appender() {
            setName(NAME);
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getFormattedMessage().contains("LEAK:")) {
                LEAKS.add(event.getFormattedMessage());
            }
        }
    }
}
