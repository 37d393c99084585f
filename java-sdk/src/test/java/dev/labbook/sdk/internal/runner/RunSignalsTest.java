package dev.labbook.sdk.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/**
 * Signals raised in this JVM while {@link RunSignals} is installed, in each phase of a run. (TERM:
 * were it ignored by this JVM, raising it would do nothing rather than stop the tests.)
 */
class RunSignalsTest {
    @TempDir
    Path dir;

    private RunSignals signals;

    @BeforeEach
    void install() {
        signals = RunSignals.install();
    }

    @AfterEach
    void restore() {
        signals.close();
    }

    private void raiseTermAndWait(java.util.function.BooleanSupplier seen) throws InterruptedException {
        Signal.raise(new Signal("TERM"));
        for (int i = 0; i < 100 && !seen.getAsBoolean(); i++) {
            Thread.sleep(20); // handlers run on a thread of their own
        }
    }

    @Test
    void aSignalBeforeTheScriptStartsReachesItAsSoonAsItDoes() throws Exception {
        raiseTermAndWait(() -> signals.beforeScriptEnded() != null);
        assertThat(signals.beforeScriptEnded()).isEqualTo("TERM");
        ChildProcess child = ChildProcess.start(List.of("sleep", "30"), dir, Map.of());
        signals.scriptStarted(child);
        assertThat(child.process().waitFor(10, TimeUnit.SECONDS)).as("the script got the signal").isTrue();
        assertThat(child.process().exitValue()).isEqualTo(128 + 15);
    }

    @Test
    void aSignalAfterTheScriptEndedCutsTheRemainingWorkShort() throws Exception {
        signals.scriptEnded();
        Thread raiser = new Thread(() -> {
            try {
                Thread.sleep(300);
                Signal.raise(new Signal("TERM"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        raiser.start();
        long start = System.nanoTime();
        Optional<String> result = signals.finish(() -> {
            Thread.sleep(60_000); // a slow upload that answers interrupts
            return "uploaded";
        });
        assertThat(result).isEmpty();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        assertThat(signals.afterScriptEnded()).isEqualTo("TERM");
        assertThat(signals.beforeScriptEnded()).isNull();
        assertThat(RunSignals.exitCode("TERM")).isEqualTo(143);
        assertThat(RunSignals.exitCode("INT")).isEqualTo(130);
    }

    @Test
    void workThatEndsUndisturbedReturnsItsResult() throws Exception {
        assertThat(signals.finish(() -> "uploaded")).contains("uploaded");
        assertThat(signals.afterScriptEnded()).isNull();
    }

    @Test
    void whileTheStatusIsSetASignalChangesNothing() throws Exception {
        signals.finish(() -> "uploaded");
        signals.settling();
        Signal.raise(new Signal("TERM"));
        Thread.sleep(300);
        assertThat(signals.afterScriptEnded()).isNull();
        assertThat(signals.beforeScriptEnded()).isNull();
    }
}
