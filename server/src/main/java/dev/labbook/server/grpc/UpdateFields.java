package dev.labbook.server.grpc;

import com.google.protobuf.FieldMask;
import dev.labbook.server.domain.InvalidArgumentException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks an update's {@code update_mask} (AIP-161) against the fields the RPC allows: the mask
 * is required, names only allowed fields, and is never the wildcard {@code *} (a full
 * replacement would silently reset fields that newer API versions add).
 */
final class UpdateFields {
    private UpdateFields() {
    }

    static Set<String> parse(FieldMask mask, Set<String> allowed) {
        String choices = String.join(", ", allowed.stream().sorted().toList());
        List<String> paths = mask.getPathsList();
        if (paths.isEmpty()) {
            throw new InvalidArgumentException("update_mask.paths", "is empty; name the fields to change: " + choices);
        }
        Set<String> fields = new HashSet<>();
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            if (path.equals("*")) {
                throw new InvalidArgumentException("update_mask.paths[" + i + "]",
                        "'*' (replace everything) is not supported; name the fields to change: " + choices);
            }
            if (!allowed.contains(path)) {
                throw new InvalidArgumentException("update_mask.paths[" + i + "]",
                        "'" + shown(path) + "' cannot be updated; allowed: " + choices);
            }
            fields.add(path);
        }
        return fields;
    }

    private static String shown(String path) {
        String clean = path.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 64 ? clean : clean.substring(0, 61) + "...";
    }
}
