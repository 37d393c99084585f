package dev.labbook.server.domain.metric;

/** What of a chunk a read fetches besides its summary. */
public enum ChunkContent {
    /** The summary only (step range, count, extreme points). */
    SUMMARY,
    /** The summary and the block envelope: enough to downsample most chunks without their points. */
    ENVELOPE,
    /** The summary and the encoded points. */
    DATA
}
