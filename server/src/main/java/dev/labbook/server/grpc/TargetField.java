package dev.labbook.server.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * A request field that names an access-checked target, by its path from the request message
 * ({@code run_id}, {@code batch.run_id}, {@code experiment_ids}), and the kind of object it names.
 */
record TargetField(String path, List<FieldDescriptor> steps, Kind kind) {
    enum Kind {
        PROJECT, EXPERIMENT, RUN, MODEL, TOKEN
    }

    /**
     * @throws IllegalArgumentException when the path does not lead to a string field whose name
     *     ends in project, experiment_id(s), run_id(s), or is model_id or token_id
     */
    static TargetField of(Descriptor request, String path) {
        List<FieldDescriptor> steps = new ArrayList<>();
        Descriptor current = request;
        String[] names = path.split("\\.");
        for (int i = 0; i < names.length; i++) {
            if (current == null) {
                throw new IllegalArgumentException(path + ": " + names[i - 1] + " is not a message");
            }
            FieldDescriptor field = current.findFieldByName(names[i]);
            if (field == null) {
                throw new IllegalArgumentException(path + ": no field " + names[i] + " in " + current.getFullName());
            }
            boolean last = i == names.length - 1;
            if (!last && (field.isRepeated() || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE)) {
                throw new IllegalArgumentException(path + ": " + names[i] + " must be a singular message");
            }
            if (last && field.getJavaType() != FieldDescriptor.JavaType.STRING) {
                throw new IllegalArgumentException(path + ": must end in a string field");
            }
            steps.add(field);
            current = last ? null : field.getMessageType();
        }
        String name = names[names.length - 1];
        Kind kind;
        if (name.equals("project")) {
            kind = Kind.PROJECT;
        } else if (name.endsWith("experiment_id") || name.endsWith("experiment_ids")) {
            kind = Kind.EXPERIMENT;
        } else if (name.endsWith("run_id") || name.endsWith("run_ids")) {
            kind = Kind.RUN;
        } else if (name.equals("model_id")) {
            kind = Kind.MODEL;
        } else if (name.equals("token_id")) {
            kind = Kind.TOKEN;
        } else {
            throw new IllegalArgumentException(path + ": a target names a project, experiment_id(s), run_id(s) "
                    + "or token_id");
        }
        boolean plural = name.endsWith("_ids");
        if (plural != steps.get(steps.size() - 1).isRepeated()) {
            throw new IllegalArgumentException(path + ": repeated exactly when the name is plural");
        }
        return new TargetField(path, List.copyOf(steps), kind);
    }

    /** The field's non-empty values in the request (none when a message on the way is absent). */
    List<String> values(Message request) {
        Message current = request;
        for (int i = 0; i < steps.size() - 1; i++) {
            FieldDescriptor step = steps.get(i);
            if (!current.hasField(step)) {
                return List.of();
            }
            current = (Message) current.getField(step);
        }
        FieldDescriptor last = steps.get(steps.size() - 1);
        if (last.isRepeated()) {
            List<String> values = new ArrayList<>();
            int count = current.getRepeatedFieldCount(last);
            for (int i = 0; i < count; i++) {
                String value = (String) current.getRepeatedField(last, i);
                if (!value.isEmpty()) {
                    values.add(value);
                }
            }
            return values;
        }
        String value = (String) current.getField(last);
        return value.isEmpty() ? List.of() : List.of(value);
    }
}
