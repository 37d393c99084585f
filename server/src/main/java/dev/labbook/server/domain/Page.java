package dev.labbook.server.domain;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** One page of a listing; {@code nextPageToken} is empty on the last page. */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(items);
    }

    /**
     * The page of an id-keyset listing that fetched {@code pageSize + 1} rows: the extra row only
     * tells whether a next page exists, and the token holds the last returned id.
     */
    public static <T> Page<T> ofKeyset(List<T> rows, int pageSize, Function<T, UUID> idOf, String fingerprint) {
        if (rows.size() <= pageSize) {
            return new Page<>(rows, "");
        }
        List<T> page = rows.subList(0, pageSize);
        return new Page<>(page, PageTokens.encode(idOf.apply(page.get(pageSize - 1)), fingerprint));
    }
}
