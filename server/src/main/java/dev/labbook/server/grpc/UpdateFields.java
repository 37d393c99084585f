package dev.labbook.server.grpc;

import dev.labbook.server.domain.InvalidArgumentException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks an {@code update_fields} list against the fields an update RPC allows. */
final class UpdateFields {
    private UpdateFields() {
    }

    static Set<String> parse(List<String> requested, Set<String> allowed) {
        Set<String> fields = new HashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            String field = requested.get(i);
            if (!allowed.contains(field)) {
                throw new InvalidArgumentException("update_fields[" + i + "]",
                        "'" + field + "' cannot be updated; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
            fields.add(field);
        }
        return fields;
    }
}
