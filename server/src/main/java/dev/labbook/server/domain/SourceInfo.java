package dev.labbook.server.domain;

import java.util.List;

/** Where a run's code came from. */
public record SourceInfo(
        String script,
        List<String> args,
        String gitCommit,
        boolean gitDirty,
        String host,
        String workingDir) {

    public static final SourceInfo EMPTY = new SourceInfo("", List.of(), "", false, "", "");

    public SourceInfo {
        args = List.copyOf(args);
    }
}
