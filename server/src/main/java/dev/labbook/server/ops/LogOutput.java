package dev.labbook.server.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.labbook.server.config.LogFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Switches the stderr log appender of logback.xml to JSON when {@code log-format} says so: one
 * object per line with timestamp (epoch ms), level, threadName, loggerName, mdc, formatted
 * message and throwable (logback's own {@link JsonEncoder}). Whatever the format, what libraries
 * log through java.util.logging (grpc-java and its Netty: transport failures, for one) goes
 * through the same appender instead of java.util.logging's own multi-line console output.
 */
public final class LogOutput {
    static final String APPENDER = "STDERR";

    private LogOutput() {
    }

    public static void use(LogFormat format) {
        routeJavaUtilLogging();
        if (format != LogFormat.JSON || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
        if (!(appender instanceof OutputStreamAppender<ILoggingEvent> stream)) {
            return;
        }
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithMessage(false);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.start();
        stream.stop();
        stream.setEncoder(json);
        stream.start();
    }

    /**
     * Replaces java.util.logging's console handler by the bridge to SLF4J; logback.xml's
     * LevelChangePropagator gives the java.util.logging loggers logback's levels.
     */
    static void routeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
