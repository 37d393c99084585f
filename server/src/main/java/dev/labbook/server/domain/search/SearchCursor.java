package dev.labbook.server.domain.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Where a page ended: the sort values of its last run (as the store produced them: Double,
 * String, Long or null) and that run's id. The next page starts strictly after this position,
 * so runs added or removed meanwhile never shift or repeat the pages (keyset paging).
 */
public record SearchCursor(List<Object> sortValues, UUID lastId) {
    public SearchCursor {
        // List.copyOf refuses nulls, and a missing value (NULLS LAST) is a legitimate sort value.
        sortValues = Collections.unmodifiableList(new ArrayList<>(sortValues));
        for (Object value : sortValues) {
            if (value != null && !(value instanceof Double || value instanceof String || value instanceof Long)) {
                throw new IllegalArgumentException("unsupported sort value type " + value.getClass());
            }
        }
    }
}
