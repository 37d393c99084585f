package dev.labbook.server.domain.metric;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads one series for a chart: every point of [fromStep, toStep] when there are at most
 * {@code maxPoints}, else the {@link Downsampler}'s view. Planned from chunk summaries (with
 * envelopes) first, then finished with the chunks it asks for, so that a read of many series
 * fetches them all in one query.
 */
final class SeriesSampler {
    /** The points of a sampled series, and whether they were downsampled. */
    record Sample(DecodedChunk points, boolean downsampled) {
    }

    private final List<StoredChunk> metas;
    private final long fromStep;
    private final long toStep;
    private final int maxPoints;
    /** Null while every point may fit: the chunks are fetched and counted first. */
    private final Downsampler downsampler;
    private final List<Integer> toFetch;

    SeriesSampler(List<StoredChunk> metas, long fromStep, long toStep, int maxPoints) {
        this.metas = metas;
        this.fromStep = fromStep;
        this.toStep = toStep;
        this.maxPoints = maxPoints;
        long inside = 0;
        for (StoredChunk c : metas) {
            if (c.summary().minStep() >= fromStep && c.summary().maxStep() <= toStep) {
                inside += c.summary().count();
            }
        }
        if (inside > maxPoints) {
            // Certainly more points than asked for: downsample, decoding only what it needs.
            downsampler = new Downsampler(metas, fromStep, toStep, maxPoints);
            toFetch = downsampler.chunksToDecode();
        } else {
            // At most maxPoints inside plus the chunks straddling the range ends: read and count.
            downsampler = null;
            toFetch = new ArrayList<>(metas.size());
            metas.forEach(c -> toFetch.add(c.seq()));
        }
    }

    /** Sequence numbers of the chunks whose data {@link #finish} needs. */
    Collection<Integer> chunksToFetch() {
        return toFetch;
    }

    Sample finish(List<StoredChunk> fetched) {
        if (downsampler != null) {
            return new Sample(downsampler.finish(fetched), true);
        }
        DecodedChunk all = HistoryReader.readAll(fetched, fromStep, toStep);
        if (all.size() <= maxPoints) {
            return new Sample(all, false);
        }
        return new Sample(new Downsampler(metas, fromStep, toStep, maxPoints).finish(fetched), true);
    }
}
