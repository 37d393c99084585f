package dev.labbook.server.domain.metric;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Turns step-ordered point pages into response pages that each carry a cursor after their last
 * point: resumes after a {@link HistoryCursor} (skipping the points of its step already sent),
 * and stops after {@code limit} points (0 = no limit). A page's token is empty when no point
 * follows it; finding that out decodes at most the next chunk, which the read needs next anyway.
 */
final class HistoryPager implements Iterator<HistoryPage> {
    private final Iterator<DecodedChunk> source;
    private final String fingerprint;
    private final long limit;
    private long sent;
    private long skipStep;
    private long skipRemaining;
    private long tieStep;
    private long tieCount;
    private DecodedChunk pending;
    private int pendingFrom;

    /**
     * @param source pages in step order, starting at the cursor's step or later
     * @param cursor where the previous read stopped; null to start at the first point
     */
    HistoryPager(Iterator<DecodedChunk> source, HistoryCursor cursor, long limit, String fingerprint) {
        this.source = source;
        this.limit = limit;
        this.fingerprint = fingerprint;
        if (cursor != null) {
            skipStep = cursor.step();
            skipRemaining = cursor.tiesSent();
            tieStep = cursor.step();
            tieCount = cursor.tiesSent();
        }
    }

    @Override
    public boolean hasNext() {
        return (limit == 0 || sent < limit) && fill();
    }

    @Override
    public HistoryPage next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int available = pending.size() - pendingFrom;
        int take = limit == 0 ? available : (int) Math.min(available, limit - sent);
        DecodedChunk page = slice(pending, pendingFrom, pendingFrom + take);
        pendingFrom += take;
        sent += take;
        countTies(page);
        boolean more = fill();
        String token = more ? Tokens.encodeHistory(new HistoryCursor(tieStep, tieCount), fingerprint) : "";
        return new HistoryPage(page, token);
    }

    /** Makes {@code pending} hold an unsent point if one remains; false when none does. */
    private boolean fill() {
        while (pending == null || pendingFrom >= pending.size()) {
            if (!source.hasNext()) {
                pending = null;
                return false;
            }
            pending = source.next();
            pendingFrom = 0;
            skipAlreadySent();
        }
        return true;
    }

    /** Drops the points of the cursor's step that the previous read sent (they come first). */
    private void skipAlreadySent() {
        while (skipRemaining > 0 && pendingFrom < pending.size()) {
            if (pending.steps()[pendingFrom] != skipStep) {
                skipRemaining = 0;
                return;
            }
            pendingFrom++;
            skipRemaining--;
        }
    }

    /** Tracks the last step sent and how many of its points were sent, for the cursor. */
    private void countTies(DecodedChunk page) {
        int n = page.size();
        long last = page.steps()[n - 1];
        int k = 0;
        while (k < n && page.steps()[n - 1 - k] == last) {
            k++;
        }
        if (k == n && last == tieStep && tieCount > 0) {
            tieCount += n;
        } else {
            tieStep = last;
            tieCount = k;
        }
    }

    private static DecodedChunk slice(DecodedChunk chunk, int from, int to) {
        if (from == 0 && to == chunk.size()) {
            return chunk;
        }
        return new DecodedChunk(Arrays.copyOfRange(chunk.steps(), from, to),
                Arrays.copyOfRange(chunk.timestampsMs(), from, to), Arrays.copyOfRange(chunk.values(), from, to));
    }
}
