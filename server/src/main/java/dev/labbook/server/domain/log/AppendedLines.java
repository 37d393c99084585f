package dev.labbook.server.domain.log;

/** Result of an append: the lines got offsets firstOffset, firstOffset + 1, ... (count of them). */
public record AppendedLines(long firstOffset, int count) {
}
