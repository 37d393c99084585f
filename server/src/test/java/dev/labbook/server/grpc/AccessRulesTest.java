package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.labbook.api.v1.BatchGetMetricHistoryRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.server.domain.access.Permission;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every labbook.v1 method declares a valid access rule, and the rules say what their names say:
 * the build fails when a new RPC forgets its rule or a delete is marked as a read.
 */
class AccessRulesTest {
    private static final Path PROTO_DIR = Path.of("..", "proto", "labbook", "v1");

    /** Every method of every service of every .proto file in proto/labbook/v1. */
    static List<MethodDescriptor> allMethods() throws Exception {
        List<MethodDescriptor> methods = new ArrayList<>();
        try (Stream<Path> files = Files.list(PROTO_DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".proto")).sorted().toList()) {
                for (ServiceDescriptor service : descriptorOf(file).getServices()) {
                    methods.addAll(service.getMethods());
                }
            }
        }
        return methods;
    }

    /** The generated outer class of a .proto file: java_outer_classname is <Stem>Proto for all of ours. */
    private static FileDescriptor descriptorOf(Path file) throws Exception {
        String stem = file.getFileName().toString().replace(".proto", "");
        String outer = "dev.labbook.api.v1." + Character.toUpperCase(stem.charAt(0)) + stem.substring(1) + "Proto";
        return (FileDescriptor) Class.forName(outer).getMethod("getDescriptor").invoke(null);
    }

    @Test
    void everyMethodOfEveryServiceDeclaresAValidRule() throws Exception {
        List<MethodDescriptor> methods = allMethods();
        assertThat(methods).hasSizeGreaterThan(50);
        List<String> broken = new ArrayList<>();
        for (MethodDescriptor method : methods) {
            try {
                AccessRules.parse(method);
            } catch (IllegalArgumentException e) {
                broken.add(e.getMessage());
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void rulesMatchWhatTheMethodNamesSay() throws Exception {
        for (MethodDescriptor method : allMethods()) {
            MethodAccess rule = AccessRules.parse(method);
            String name = method.getName();
            String where = method.getFullName();
            if (name.startsWith("Purge")) {
                assertThat(rule.permission()).as(where).isEqualTo(Permission.PURGE);
            } else if (name.startsWith("Delete") && !name.equals("DeleteArtifact") && !name.equals("DeleteModel")
                    || name.startsWith("Restore")) {
                assertThat(rule.permission()).as(where).isEqualTo(Permission.DELETE);
            } else if (name.equals("DeleteModel")) {
                // A soft deletion of a run's output, like DeleteArtifact: who logs models may delete them.
                assertThat(rule.permission()).as(where).isEqualTo(Permission.WRITE);
            } else if (name.matches("(Create|Update|Set|Log|Append|Upload|Start|Finish|Cancel|Resume|Open|BatchLog|Submit).*")
                    && !method.getService().getName().equals("AccessService")) {
                assertThat(rule.permission()).as(where).isEqualTo(Permission.WRITE);
            } else if (where.equals("labbook.v1.SubmitService.ListComputeTargets")) {
                // The server's configuration, no project's data: any signed-in caller may see it.
                assertThat(rule.permission()).as(where).isEqualTo(Permission.AUTHENTICATED);
            } else if (name.matches("(Get|List|Search|Compare|Watch|Read|Download|BatchGet).*")
                    && !method.getService().getName().equals("AccessService")) {
                assertThat(rule.permission()).as(where).isIn(Permission.READ, Permission.PUBLIC);
            }
            // Every method not about the server or the caller names what it acts on, or lists
            // only what the caller's roles allow (no targets, role permission).
            if (rule.permission().mutating() && !method.getService().getName().equals("AccessService")) {
                assertThat(rule.targets()).as(where + " must name its target").isNotEmpty();
            }
        }
    }

    @Test
    void onlyTheServerDescriptionIsPublic() throws Exception {
        List<String> open = allMethods().stream()
                .filter(m -> AccessRules.parse(m).permission() == Permission.PUBLIC)
                .map(MethodDescriptor::getFullName)
                .toList();
        assertThat(open).containsExactly("labbook.v1.ServerService.GetServerInfo");
    }

    @Test
    void targetPathsAreResolvedThroughNestedMessagesAndRepeatedFields() {
        MethodAccess logMetrics = AccessRules.parse(
                dev.labbook.api.v1.MetricServiceGrpc.getLogMetricsMethod().getSchemaDescriptor() instanceof
                        io.grpc.protobuf.ProtoMethodDescriptorSupplier s ? s.getMethodDescriptor() : null);
        assertThat(logMetrics.targets()).extracting(TargetField::path).containsExactly("batch.run_id");
        assertThat(logMetrics.targets().get(0).values(LogMetricsRequest.newBuilder()
                .setBatch(MetricBatch.newBuilder().setRunId("r1")).build())).containsExactly("r1");
        assertThat(logMetrics.targets().get(0).values(LogMetricsRequest.getDefaultInstance())).isEmpty();

        TargetField modelId = TargetField.of(dev.labbook.api.v1.GetModelRequest.getDescriptor(), "model_id");
        assertThat(modelId.kind()).isEqualTo(TargetField.Kind.MODEL);

        TargetField runIds = TargetField.of(BatchGetMetricHistoryRequest.getDescriptor(), "run_ids");
        assertThat(runIds.kind()).isEqualTo(TargetField.Kind.RUN);
        assertThat(runIds.values(BatchGetMetricHistoryRequest.newBuilder().addRunIds("a").addRunIds("")
                .addRunIds("b").build())).containsExactly("a", "b");
    }

    @Test
    void malformedTargetsAreRefusedWhenTheRuleIsRead() {
        assertThatThrownBy(() -> TargetField.of(GetRunRequest.getDescriptor(), "run_name"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a target names");
        assertThatThrownBy(() -> TargetField.of(GetRunRequest.getDescriptor(), "nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no field nope");
        assertThatThrownBy(() -> TargetField.of(GetRunRequest.getDescriptor(), "run_id.x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void protoDirectoryIsWhereTheTestLooks() throws IOException {
        assertThat(Files.exists(PROTO_DIR.resolve("access.proto"))).as(PROTO_DIR.toAbsolutePath().toString())
                .isTrue();
    }
}
