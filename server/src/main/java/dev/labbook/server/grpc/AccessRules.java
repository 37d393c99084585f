package dev.labbook.server.grpc;

import com.google.protobuf.Descriptors.MethodDescriptor;
import dev.labbook.api.v1.AccessProto;
import dev.labbook.api.v1.AccessRule;
import dev.labbook.server.domain.access.Permission;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code (labbook.v1.access)} rules of the served methods, read from the proto descriptors
 * once per method. A method without a valid rule has none: the interceptor refuses it.
 */
final class AccessRules {
    private final ConcurrentHashMap<String, Optional<MethodAccess>> byMethod = new ConcurrentHashMap<>();

    Optional<MethodAccess> of(io.grpc.MethodDescriptor<?, ?> method) {
        return byMethod.computeIfAbsent(method.getFullMethodName(), name -> read(method));
    }

    private static Optional<MethodAccess> read(io.grpc.MethodDescriptor<?, ?> method) {
        if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(supplier.getMethodDescriptor()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The rule of a proto method.
     *
     * @throws IllegalArgumentException when it has none, or its permission or targets are not valid
     */
    static MethodAccess parse(MethodDescriptor method) {
        String name = method.getService().getFullName() + "/" + method.getName();
        if (!method.getOptions().hasExtension(AccessProto.access)) {
            throw new IllegalArgumentException(name + " declares no (labbook.v1.access) rule");
        }
        AccessRule rule = method.getOptions().getExtension(AccessProto.access);
        Permission permission = switch (rule.getPermission()) {
            case PERMISSION_PUBLIC -> Permission.PUBLIC;
            case PERMISSION_AUTHENTICATED -> Permission.AUTHENTICATED;
            case PERMISSION_READ -> Permission.READ;
            case PERMISSION_WRITE -> Permission.WRITE;
            case PERMISSION_DELETE -> Permission.DELETE;
            case PERMISSION_PURGE -> Permission.PURGE;
            case PERMISSION_ADMIN -> Permission.ADMIN;
            case PERMISSION_UNSPECIFIED, UNRECOGNIZED ->
                    throw new IllegalArgumentException(name + ": the rule names no permission");
        };
        List<TargetField> targets = rule.getTargetsList().stream()
                .map(path -> {
                    try {
                        return TargetField.of(method.getInputType(), path);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(name + ": target " + e.getMessage(), e);
                    }
                })
                .toList();
        if (!targets.isEmpty() && (permission == Permission.PUBLIC || permission == Permission.AUTHENTICATED)) {
            throw new IllegalArgumentException(name + ": targets need a role permission");
        }
        return new MethodAccess(name, permission, targets);
    }
}
