package dev.labbook.server.grpc;

import dev.labbook.server.domain.access.Permission;
import java.util.List;

/**
 * A method's access rule as the interceptor applies it: the permission and the request fields
 * naming its targets, read once from the method's {@code (labbook.v1.access)} option.
 */
record MethodAccess(String method, Permission permission, List<TargetField> targets) {
    /** Whether a {@code project} field is among the targets: an empty one then means {@code default}. */
    boolean listsProject() {
        return targets.stream().anyMatch(t -> t.kind() == TargetField.Kind.PROJECT);
    }
}
