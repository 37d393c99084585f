package dev.labbook.cli;

import dev.labbook.sdk.ErrorReason;
import dev.labbook.sdk.ExperimentInfo;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.NotFoundException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds the experiment an EXPERIMENT argument names: its name in the project, its id (a UUID), or
 * a part of its id, at least {@value RunResolver#MIN_ID_PART} hex characters from the start or
 * the end, that only one experiment of the project has (the lists' short ids are the last 8). A
 * name wins over an id part: an experiment may well be named like one.
 */
final class ExperimentResolver {
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern ID_PART = Pattern.compile("[0-9a-fA-F-]{" + RunResolver.MIN_ID_PART + ",35}");

    private ExperimentResolver() {
    }

    static ExperimentInfo resolve(LabbookClient client, String project, String ref) {
        String r = ref.strip();
        if (UUID.matcher(r).matches()) {
            return client.experiments().get(r);
        }
        try {
            return client.experiments().getByName(project, ref);
        } catch (NotFoundException e) {
            if (e.reason() != ErrorReason.EXPERIMENT_NOT_FOUND || !ID_PART.matcher(r).matches()
                    || r.replace("-", "").length() < RunResolver.MIN_ID_PART) {
                throw e;
            }
        }
        return byIdPart(client, project, r.toLowerCase(Locale.ROOT));
    }

    /** The id of each named experiment, for commands that take several (-e). */
    static String[] ids(LabbookClient client, String project, List<String> refs) {
        return refs.stream().map(ref -> resolve(client, project, ref).id()).toArray(String[]::new);
    }

    /** The experiment of the project (deleted ones too) whose id starts or ends with {@code part}: one, or an error. */
    private static ExperimentInfo byIdPart(LabbookClient client, String project, String part) {
        List<ExperimentInfo> found = client.experiments().listAll(project, true).stream()
                .filter(e -> e.id().startsWith(part) || e.id().endsWith(part)).toList();
        if (found.isEmpty()) {
            throw new CliException("NOT_FOUND: project '" + project + "' has no experiment named '" + part
                    + "' nor one whose id starts or ends with it");
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        StringBuilder message = new StringBuilder("ambiguous experiment id '" + part + "': " + found.size()
                + " experiments of project '" + project + "' match; give more characters, the full id or the name:");
        for (ExperimentInfo e : found.subList(0, Math.min(found.size(), RunResolver.MAX_CANDIDATES))) {
            message.append("\n  ").append(e.id()).append("  ").append(e.name()).append(e.deleted() ? "  (deleted)" : "");
        }
        if (found.size() > RunResolver.MAX_CANDIDATES) {
            message.append("\n  ... and ").append(found.size() - RunResolver.MAX_CANDIDATES).append(" more");
        }
        throw new CliException(message.toString());
    }
}
