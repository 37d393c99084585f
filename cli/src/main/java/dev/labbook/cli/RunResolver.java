package dev.labbook.cli;

import dev.labbook.sdk.ErrorReason;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.NotFoundException;
import dev.labbook.sdk.RunInfo;
import java.util.regex.Pattern;

/**
 * Finds the run a RUN argument names: a run id (a UUID), or {@code EXPERIMENT/RUN-NAME} in the
 * project. Names may themselves contain {@code /}: the last {@code /} separates the two.
 */
final class RunResolver {
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private RunResolver() {
    }

    static RunInfo resolve(LabbookClient client, String project, String ref) {
        if (UUID.matcher(ref).matches()) {
            return client.runs().get(ref);
        }
        int slash = ref.lastIndexOf('/');
        if (slash <= 0 || slash == ref.length() - 1) {
            throw new CliException("RUN must be a run id or EXPERIMENT/RUN-NAME, got '" + ref + "'");
        }
        String experiment = ref.substring(0, slash);
        String name = ref.substring(slash + 1);
        try {
            return client.runs().getByName(project, experiment, name);
        } catch (NotFoundException e) {
            throw new CliException(e.reason() == ErrorReason.EXPERIMENT_NOT_FOUND
                    ? "NOT_FOUND: no experiment '" + experiment + "' in project '" + project + "'"
                    : "NOT_FOUND: no run '" + name + "' in experiment '" + experiment + "' of project '" + project
                            + "'");
        }
    }

    /** A string literal of the search language: single quotes, a quote inside doubled. */
    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
