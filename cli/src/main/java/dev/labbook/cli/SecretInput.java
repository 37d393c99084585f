package dev.labbook.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a token for {@code labbook login}: from a terminal with a prompt and without echo, or
 * the first line of stdin when it is a pipe or file ({@code echo $TOKEN | labbook login}), so that
 * the secret need not appear on a command line (shell history, {@code ps}).
 */
final class SecretInput {
    private SecretInput() {
    }

    static String read(String prompt, InputStream stdin) {
        Console console = System.console();
        String token;
        if (console != null) {
            char[] chars = console.readPassword("%s", prompt);
            token = chars == null ? null : new String(chars);
        } else {
            try {
                token = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new CliException("cannot read the token from stdin: " + e.getMessage());
            }
        }
        if (token == null || token.isBlank()) {
            throw new CliException("no token given: pass --token, type it at the prompt, or pipe it on stdin");
        }
        return token.strip();
    }
}
