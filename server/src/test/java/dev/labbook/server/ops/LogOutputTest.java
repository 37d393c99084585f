package dev.labbook.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.logging.LogManager;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** java.util.logging records (grpc-java's) reach logback's appenders, with logback's levels. */
class LogOutputTest {
    @Test
    void javaUtilLoggingGoesThroughLogback() {
        LogOutput.routeJavaUtilLogging();
        Logger logback = (Logger) LoggerFactory.getLogger("labbook.test.jul");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logback.addAppender(events);
        logback.setLevel(Level.INFO);
        try {
            java.util.logging.Logger jul = java.util.logging.Logger.getLogger("labbook.test.jul");
            jul.log(java.util.logging.Level.WARNING, "Transport failed", new IllegalStateException("boom"));
            jul.fine("below the level");

            assertThat(events.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).isEqualTo("Transport failed");
                assertThat(event.getThrowableProxy().getMessage()).isEqualTo("boom");
            });
            // java.util.logging's own console handler is gone: nothing is written twice.
            assertThat(LogManager.getLogManager().getLogger("").getHandlers())
                    .allSatisfy(h -> assertThat(h).isInstanceOf(org.slf4j.bridge.SLF4JBridgeHandler.class));
        } finally {
            logback.detachAppender(events);
            logback.setLevel(null);
        }
    }
}
