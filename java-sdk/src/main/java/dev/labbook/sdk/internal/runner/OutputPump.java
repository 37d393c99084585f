package dev.labbook.sdk.internal.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies one of the script's output pipes to the terminal as it comes (the raw bytes, unchanged)
 * and into a {@link LineAssembler} for the run's log.
 */
final class OutputPump implements Runnable {
    private final InputStream from;
    private final OutputStream terminal;
    private final LineAssembler lines;
    private final TerminalState terminalState;

    OutputPump(InputStream from, OutputStream terminal, LineAssembler lines, TerminalState terminalState) {
        this.from = from;
        this.terminal = terminal;
        this.lines = lines;
        this.terminalState = terminalState;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (from) {
            int n;
            while ((n = from.read(buffer)) != -1) {
                try {
                    terminal.write(buffer, 0, n);
                    terminal.flush();
                    terminalState.wrote(buffer[n - 1]);
                } catch (IOException e) {
                    // A closed terminal must not stop the capture into the run's log.
                }
                lines.append(buffer, 0, n);
            }
        } catch (IOException e) {
            // The pipe broke: the process is gone; whatever arrived is kept below.
        } finally {
            lines.finish();
        }
    }
}
