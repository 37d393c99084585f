package dev.labbook.server.domain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SetRunTags or SetExperimentTags request: tags to add or overwrite and keys to remove, checked
 * once for both kinds of object.
 */
record TagEdits(Map<String, String> tags, List<String> removeKeys) {

    TagEdits {
        tags = Map.copyOf(tags);
        removeKeys = List.copyOf(removeKeys);
    }

    /** Validates the request: keys and values within limits, no key both set and removed, not empty. */
    static TagEdits of(Map<String, String> tags, List<String> removeKeys) {
        Limits.tags("tags", tags);
        for (int i = 0; i < removeKeys.size(); i++) {
            String key = Limits.key("remove_keys[" + i + "]", removeKeys.get(i));
            if (tags.containsKey(key)) {
                throw new InvalidArgumentException("remove_keys[" + i + "]",
                        "'" + key + "' is also set in tags; a key can be set or removed, not both");
            }
        }
        if (tags.isEmpty() && removeKeys.isEmpty()) {
            throw new InvalidArgumentException("tags", "is empty and remove_keys is empty; nothing to change");
        }
        return new TagEdits(tags, removeKeys);
    }

    /** The tags after the edit, refused when they would exceed the limit of tags per object. */
    Map<String, String> applyTo(Map<String, String> current, String objectKind) {
        Map<String, String> merged = new HashMap<>(current);
        merged.putAll(tags);
        removeKeys.forEach(merged::remove);
        if (merged.size() > Limits.MAX_TAGS) {
            throw new InvalidArgumentException("tags", "would give the " + objectKind + " " + merged.size()
                    + " tags; at most " + Limits.MAX_TAGS + " allowed");
        }
        return merged;
    }
}
