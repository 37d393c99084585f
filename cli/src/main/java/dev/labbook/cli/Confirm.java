package dev.labbook.cli;

import java.io.Console;
import java.util.Locale;

/** Confirmation of destructive commands: asked on a terminal, skipped with --yes. */
final class Confirm {
    private Confirm() {
    }

    /**
     * Asks "{@code question} [y/N]" on the terminal unless {@code yes}. Without a terminal (stdin
     * or stdout not one) an {@code irreversible} action is refused, a reversible one goes ahead.
     */
    static void destructive(boolean yes, boolean irreversible, String question) {
        if (yes) {
            return;
        }
        Console console = System.console();
        if (console == null) {
            if (irreversible) {
                String action = question.endsWith("?") ? question.substring(0, question.length() - 1) : question;
                throw new CliException("refusing to " + action.substring(0, 1).toLowerCase(Locale.ROOT)
                        + action.substring(1) + " without confirmation: it cannot be undone and there is no "
                        + "terminal to ask on; pass --yes");
            }
            return;
        }
        String answer = console.readLine("%s%s [y/N] ", question, irreversible ? " This cannot be undone." : "");
        if (answer == null || !(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
            throw new CliException("canceled: nothing was changed");
        }
    }
}
