package dev.labbook.cli;

import dev.labbook.sdk.ErrorReason;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.NotFoundException;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds the run a RUN argument names: a run id (a UUID); a part of one, at least
 * {@value #MIN_ID_PART} hex characters from its start or its end, that only one run of the project
 * has (the lists' short ids are the last 8); or {@code EXPERIMENT/RUN-NAME} in the project. Names
 * may themselves contain {@code /}: the last {@code /} separates the two.
 */
final class RunResolver {
    static final int MIN_ID_PART = 6;
    /** Candidates an ambiguous id part lists. */
    static final int MAX_CANDIDATES = 10;

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern ID_PART = Pattern.compile("[0-9a-fA-F-]{" + MIN_ID_PART + ",35}");

    private RunResolver() {
    }

    static RunInfo resolve(LabbookClient client, String project, String ref) {
        String r = ref.strip();
        if (UUID.matcher(r).matches()) {
            return client.runs().get(r);
        }
        if (ID_PART.matcher(r).matches() && r.replace("-", "").length() >= MIN_ID_PART) {
            return byIdPart(client, project, r.toLowerCase(Locale.ROOT));
        }
        int slash = r.lastIndexOf('/');
        if (slash <= 0 || slash == r.length() - 1) {
            throw new CliException("RUN must be a run id, " + MIN_ID_PART + " or more of its characters (from "
                    + "the start or the end, e.g. a list's short id) or EXPERIMENT/RUN-NAME, got '" + ref + "'");
        }
        String experiment = r.substring(0, slash);
        String name = r.substring(slash + 1);
        try {
            return client.runs().getByName(project, experiment, name);
        } catch (NotFoundException e) {
            throw new CliException(e.reason() == ErrorReason.EXPERIMENT_NOT_FOUND
                    ? "NOT_FOUND: no experiment '" + experiment + "' in project '" + project + "'"
                    : "NOT_FOUND: no run '" + name + "' in experiment '" + experiment + "' of project '" + project
                            + "'");
        }
    }

    /** The filter that finds the runs whose id starts or ends with {@code part} (lowercase hex and '-'). */
    static String idPartFilter(String part) {
        return "id LIKE " + quote(part + "%") + " OR id LIKE " + quote("%" + part);
    }

    /** The runs of the project (deleted ones too) whose id starts or ends with {@code part}: one, or an error. */
    private static RunInfo byIdPart(LabbookClient client, String project, String part) {
        List<RunInfo> found = client.runs().searchAll(RunSearch.inProject(project).filter(idPartFilter(part))
                .includeDeleted(true).pageSize(MAX_CANDIDATES + 1).maxResults(MAX_CANDIDATES + 1));
        if (found.isEmpty()) {
            throw new CliException("NOT_FOUND: no run of project '" + project + "' has an id that starts or ends "
                    + "with '" + part + "'");
        }
        if (found.size() == 1) {
            return client.runs().get(found.get(0).id());
        }
        ExperimentNames experiments = new ExperimentNames(client, project);
        StringBuilder message = new StringBuilder("ambiguous run id '" + part + "': "
                + (found.size() > MAX_CANDIDATES ? "more than " + MAX_CANDIDATES : found.size())
                + " runs of project '" + project + "' match; give more characters, the full id or EXPERIMENT/RUN-NAME:");
        for (RunInfo run : found.subList(0, Math.min(found.size(), MAX_CANDIDATES))) {
            message.append("\n  ").append(run.id()).append("  ").append(experiments.of(run.experimentId()))
                    .append('/').append(run.name()).append(run.deleted() ? "  (deleted)" : "");
        }
        throw new CliException(message.toString());
    }

    /** A string literal of the search language: single quotes, a quote inside doubled. */
    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
