package dev.labbook.server.domain;

import java.util.List;

/** One page of a listing; {@code nextPageToken} is empty on the last page. */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(items);
    }
}
