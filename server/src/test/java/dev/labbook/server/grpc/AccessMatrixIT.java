package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Message;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.Run;
import dev.labbook.server.domain.access.Permission;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The role x RPC matrix: every labbook.v1 method, called by each kind of caller on an object of
 * project A, gets exactly the status its (labbook.v1.access) rule says. A caller the rule admits
 * gets past access control (whatever the method then answers, the same for every admitted
 * caller, from the same starting state); the others get UNAUTHENTICATED (no token) or
 * PERMISSION_DENIED (a token of project B, or too low a role in A).
 */
@ExtendWith(AuthServerExtension.class)
class AccessMatrixIT {
    private static final String PROJECT_A = "matrix-a";
    private static final String PROJECT_B = "matrix-b";

    enum Caller {
        NO_TOKEN, ADMIN_OF_OTHER_PROJECT, VIEWER, EDITOR, ADMIN
    }

    /** Objects of project A, fresh for each call, that the request's target fields name. */
    private record Targets(String experimentId, String runId, String modelId, String tokenId) {
    }

    @TestFactory
    Stream<DynamicTest> everyMethodAnswersEveryCallerAsItsRuleSays(TestServer server) throws Exception {
        Map<Caller, Optional<String>> tokens = new EnumMap<>(Caller.class);
        tokens.put(Caller.NO_TOKEN, Optional.empty());
        tokens.put(Caller.ADMIN_OF_OTHER_PROJECT, Optional.of(TestTokens.create(server, PROJECT_B, Role.ADMIN)));
        tokens.put(Caller.VIEWER, Optional.of(TestTokens.create(server, PROJECT_A, Role.VIEWER)));
        tokens.put(Caller.EDITOR, Optional.of(TestTokens.create(server, PROJECT_A, Role.EDITOR)));
        tokens.put(Caller.ADMIN, Optional.of(TestTokens.create(server, PROJECT_A, Role.ADMIN)));
        List<MethodDescriptor> methods = AccessRulesTest.allMethods();
        return methods.stream().map(method -> DynamicTest.dynamicTest(method.getFullName(),
                () -> checkMethod(server, method, tokens)));
    }

    private void checkMethod(TestServer server, MethodDescriptor method, Map<Caller, Optional<String>> tokens) {
        MethodAccess rule = AccessRules.parse(method);
        Map<Caller, Status> answers = new EnumMap<>(Caller.class);
        for (Caller caller : Caller.values()) {
            Targets targets = freshTargets(server);
            answers.put(caller, call(server, method, request(method, targets), tokens.get(caller)));
        }
        List<Status.Code> admittedCodes = new ArrayList<>();
        for (Caller caller : Caller.values()) {
            Status answer = answers.get(caller);
            Optional<Status.Code> refusal = expectedRefusal(rule, caller);
            String where = method.getFullName() + " as " + caller + ": " + answer;
            if (refusal.isPresent()) {
                assertThat(answer.getCode()).as(where).isEqualTo(refusal.get());
            } else {
                assertThat(answer.getCode()).as(where)
                        .isNotIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED);
                admittedCodes.add(answer.getCode());
            }
        }
        assertThat(admittedCodes).as(method.getFullName() + " answers every admitted caller alike: " + answers)
                .isNotEmpty().allMatch(code -> code == admittedCodes.get(0));
    }

    /** What the rule says a caller gets, when it is refused; empty when it is admitted. */
    private static Optional<Status.Code> expectedRefusal(MethodAccess rule, Caller caller) {
        Permission permission = rule.permission();
        if (permission == Permission.PUBLIC) {
            return Optional.empty();
        }
        if (caller == Caller.NO_TOKEN) {
            return Optional.of(Status.Code.UNAUTHENTICATED);
        }
        if (permission == Permission.AUTHENTICATED) {
            return Optional.empty();
        }
        Role role = switch (caller) {
            case ADMIN_OF_OTHER_PROJECT, ADMIN -> Role.ADMIN;
            case EDITOR -> Role.EDITOR;
            default -> Role.VIEWER;
        };
        boolean aboutProjectA = !rule.targets().isEmpty();
        if (caller == Caller.ADMIN_OF_OTHER_PROJECT && aboutProjectA) {
            return Optional.of(Status.Code.PERMISSION_DENIED);
        }
        return role.grants(permission) ? Optional.empty() : Optional.of(Status.Code.PERMISSION_DENIED);
    }

    private static Targets freshTargets(TestServer server) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Experiment experiment = TestTokens.as(server.experiments(), AuthServerExtension.BOOTSTRAP_TOKEN)
                .createExperiment(CreateExperimentRequest.newBuilder().setProject(PROJECT_A)
                        .setName("matrix-" + suffix).build())
                .getExperiment();
        Run run = TestTokens.as(server.runs(), AuthServerExtension.BOOTSTRAP_TOKEN)
                .createRun(CreateRunRequest.newBuilder().setExperimentId(experiment.getId())
                        .setName("run-" + suffix).build())
                .getRun();
        String tokenId = server.server().tokens().create(TestTokens.MINTER, "target-" + suffix, PROJECT_A,
                Role.VIEWER, 0).token().id().toString();
        String modelId = TestTokens.as(dev.labbook.api.v1.ModelServiceGrpc.newBlockingStub(server.channel()),
                AuthServerExtension.BOOTSTRAP_TOKEN).createModel(dev.labbook.api.v1.CreateModelRequest.newBuilder()
                        .setRunId(run.getId()).setName("model-" + suffix).build()).getModel().getId();
        return new Targets(experiment.getId(), run.getId(), modelId, tokenId);
    }

    /** The method's request with every target field naming project A's objects. */
    private static Message request(MethodDescriptor method, Targets targets) {
        Message.Builder builder = ProtoUtilsHolder.prototype(method).newBuilderForType();
        for (String path : method.getOptions().getExtension(dev.labbook.api.v1.AccessProto.access).getTargetsList()) {
            fill(builder, path.split("\\."), 0, targets);
        }
        return builder.build();
    }

    private static void fill(Message.Builder builder, String[] path, int index, Targets targets) {
        FieldDescriptor field = builder.getDescriptorForType().findFieldByName(path[index]);
        if (index < path.length - 1) {
            fill(builder.getFieldBuilder(field), path, index + 1, targets);
            return;
        }
        String value = switch (field.getName()) {
            case "project" -> PROJECT_A;
            case "experiment_id", "experiment_ids" -> targets.experimentId();
            case "run_id", "run_ids" -> targets.runId();
            case "model_id" -> targets.modelId();
            case "token_id" -> targets.tokenId();
            default -> null; // parent_run_id and the like: left empty
        };
        if (value == null) {
            return;
        }
        if (field.isRepeated()) {
            builder.addRepeatedField(field, value);
        } else {
            builder.setField(field, value);
        }
    }

    /** Calls the method once with the request (one message for client streams) and returns how it ended. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Status call(TestServer server, MethodDescriptor method, Message request, Optional<String> token) {
        io.grpc.MethodDescriptor grpcMethod = ProtoUtilsHolder.grpcMethod(method);
        Channel channel = token.map(t -> ClientInterceptors.intercept(server.channel(), TestTokens.bearer(t)))
                .orElse(server.channel());
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
        ClientCall clientCall = channel.newCall(grpcMethod, options);
        CompletableFuture<Status> ended = new CompletableFuture<>();
        StreamObserver<Object> responses = new StreamObserver<>() {
            @Override
            public void onNext(Object value) {
                // One answer is enough to know the call was admitted (WatchRun never ends by itself).
                if (grpcMethod.getType() == io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING) {
                    ended.complete(Status.OK);
                }
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.OK);
            }
        };
        switch (grpcMethod.getType()) {
            case UNARY -> ClientCalls.asyncUnaryCall(clientCall, request, responses);
            case SERVER_STREAMING -> ClientCalls.asyncServerStreamingCall(clientCall, request, responses);
            case CLIENT_STREAMING -> {
                StreamObserver<Object> requests = ClientCalls.asyncClientStreamingCall(clientCall, responses);
                requests.onNext(request);
                requests.onCompleted();
            }
            default -> throw new IllegalStateException("no bidirectional methods in labbook.v1: " + method);
        }
        Status status = ended.join();
        clientCall.cancel("matrix call done", null);
        return status;
    }

    /** The generated gRPC method descriptors (with their marshallers) of the proto methods. */
    private static final class ProtoUtilsHolder {
        private static final Map<String, io.grpc.MethodDescriptor<?, ?>> BY_NAME = load();

        private static Map<String, io.grpc.MethodDescriptor<?, ?>> load() {
            Map<String, io.grpc.MethodDescriptor<?, ?>> methods = new java.util.HashMap<>();
            for (Class<?> grpc : List.of(dev.labbook.api.v1.AccessServiceGrpc.class,
                    dev.labbook.api.v1.ArtifactServiceGrpc.class, dev.labbook.api.v1.ExperimentServiceGrpc.class,
                    dev.labbook.api.v1.LogServiceGrpc.class, dev.labbook.api.v1.MetricServiceGrpc.class,
                    dev.labbook.api.v1.ProjectServiceGrpc.class, dev.labbook.api.v1.RunServiceGrpc.class,
                    dev.labbook.api.v1.ServerServiceGrpc.class, dev.labbook.api.v1.SubmitServiceGrpc.class,
                    dev.labbook.api.v1.ModelServiceGrpc.class)) {
                try {
                    io.grpc.ServiceDescriptor service =
                            (io.grpc.ServiceDescriptor) grpc.getMethod("getServiceDescriptor").invoke(null);
                    service.getMethods().forEach(m -> methods.put(m.getFullMethodName(), m));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return methods;
        }

        static io.grpc.MethodDescriptor<?, ?> grpcMethod(MethodDescriptor method) {
            io.grpc.MethodDescriptor<?, ?> found = BY_NAME.get(method.getService().getFullName() + "/"
                    + method.getName());
            assertThat(found).as("generated stub of " + method.getFullName()
                    + " (add its *Grpc class to the list)").isNotNull();
            return found;
        }

        static Message prototype(MethodDescriptor method) {
            return (Message) ((PrototypeMarshaller<?>) grpcMethod(method).getRequestMarshaller())
                    .getMessagePrototype();
        }
    }
}
