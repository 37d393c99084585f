package dev.labbook.server.domain.log;

import java.util.UUID;

/**
 * A streamed read: lines of {@code runId} from {@code startOffset} at {@code minLevel} or above,
 * at most {@code limit} of them (0 = no limit); with {@code follow}, new lines as they arrive
 * until the run ends. A null {@code minLevel} means every level.
 */
public record LogQuery(UUID runId, long startOffset, long limit, LogLevel minLevel, boolean follow) {
}
