package dev.labbook.server.grpc;

import com.google.protobuf.Message;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.access.AccessPolicy.ProjectRef;
import dev.labbook.server.domain.access.Principal;
import dev.labbook.server.domain.access.ProjectLookup;
import dev.labbook.server.domain.model.ModelIds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The projects a request touches: the project of every non-empty target field of its access
 * rule, with how the caller named it. Malformed ids are INVALID_ARGUMENT naming the field, ids
 * of nothing NOT_FOUND.
 */
final class TargetProjects {
    private final ProjectLookup projects;

    TargetProjects(ProjectLookup projects) {
        this.projects = projects;
    }

    /** The projects ({@code default} when the rule's only non-empty-able fields are empty projects). */
    Map<String, ProjectRef> of(MethodAccess rule, Message message) {
        Map<String, ProjectRef> touched = new LinkedHashMap<>();
        for (TargetField field : rule.targets()) {
            List<String> values = field.values(message);
            if (values.isEmpty()) {
                continue;
            }
            switch (field.kind()) {
                case PROJECT -> values.forEach(v -> touched.putIfAbsent(
                        v.equals(Principal.ALL_PROJECTS) ? v : Limits.project(field.path(), v), ProjectRef.named()));
                case EXPERIMENT -> resolve(field, values, projects::ofExperiments, "experiment",
                        ErrorReason.EXPERIMENT_NOT_FOUND, touched);
                case RUN -> resolve(field, values, projects::ofRuns, "run", ErrorReason.RUN_NOT_FOUND, touched);
                case MODEL -> {
                    UUID id = ModelIds.parse(field.path(), values.get(0));
                    String project = projects.ofModels(List.of(id)).get(id);
                    if (project == null) {
                        NotFoundException error = new NotFoundException(ErrorReason.MODEL_NOT_FOUND,
                                "model " + values.get(0) + " not found");
                        error.about("model", values.get(0));
                        throw error;
                    }
                    touched.putIfAbsent(project, ProjectRef.via(field.path(), values.get(0)));
                }
                case TOKEN -> {
                    UUID id = ProtoIds.required(field.path(), values.get(0));
                    String project = projects.ofToken(id).orElseThrow(
                            () -> notFound(ErrorReason.TOKEN_NOT_FOUND, "token", id));
                    touched.putIfAbsent(project, ProjectRef.via(field.path(), values.get(0)));
                }
            }
        }
        if (touched.isEmpty()) {
            touched.put(Limits.DEFAULT_PROJECT, ProjectRef.named());
        }
        return touched;
    }

    private static void resolve(TargetField field, List<String> values, Function<List<UUID>, Map<UUID, String>> lookup,
            String type, ErrorReason reason, Map<String, ProjectRef> touched) {
        List<UUID> ids = values.stream().map(v -> ProtoIds.required(field.path(), v)).toList();
        Map<UUID, String> found = lookup.apply(ids);
        for (UUID id : ids) {
            String project = found.get(id);
            if (project == null) {
                throw notFound(reason, type, id);
            }
            touched.putIfAbsent(project, ProjectRef.via(field.path(), id.toString()));
        }
    }

    private static NotFoundException notFound(ErrorReason reason, String type, UUID id) {
        NotFoundException error = new NotFoundException(reason, type + " " + id + " not found");
        error.about(type, id);
        return error;
    }
}
