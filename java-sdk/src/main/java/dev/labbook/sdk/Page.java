package dev.labbook.sdk;

import java.util.List;

/** One page of a listing; pass {@link #nextPageToken()} to get the next one (empty on the last page). */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(items);
    }

    public boolean hasNext() {
        return !nextPageToken.isEmpty();
    }
}
