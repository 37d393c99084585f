package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamDrain} on a real server and socket, with a client-streaming test method whose
 * handler records what it handled and can be held inside a message.
 */
class StreamDrainTest {
    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> UPLOAD = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodType.CLIENT_STREAMING).setFullMethodName("test.Drain/Upload")
            .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    private static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodType.UNARY).setFullMethodName("test.Drain/Echo")
            .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

    private final StreamDrain drain = new StreamDrain();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Throwable> handlerSawEnd = new CompletableFuture<>();
    private final CountDownLatch insideMessage = new CountDownLatch(1);
    private volatile CountDownLatch holdMessage = new CountDownLatch(0);
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Drain")
                .addMethod(UPLOAD, ServerCalls.asyncClientStreamingCall(response -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String message) {
                        insideMessage.countDown();
                        try {
                            holdMessage.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        handled.add(message);
                    }

                    @Override
                    public void onError(Throwable t) {
                        handlerSawEnd.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        response.onNext("got " + handled.size());
                        response.onCompleted();
                    }
                }))
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service)
                .intercept(drain).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    /** A client stream whose close status completes {@link #status}. */
    private final class Upload {
        final CompletableFuture<Status> status = new CompletableFuture<>();
        final ClientCall<String, String> call = channel.newCall(UPLOAD, CallOptions.DEFAULT);

        Upload() {
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onClose(Status s, Metadata trailers) {
                    status.complete(s);
                }
            }, new Metadata());
            call.request(1);
        }

        void send(String message) {
            call.sendMessage(message);
        }

        Status await() throws Exception {
            return status.get(10, TimeUnit.SECONDS);
        }
    }

    private void awaitHandled(int count) throws InterruptedException {
        for (int i = 0; i < 200 && handled.size() < count; i++) {
            Thread.sleep(10);
        }
        assertThat(handled).hasSize(count);
    }

    @Test
    void anIdleStreamEndsUnavailableAtOnceAndItsHandlerHearsOfIt() throws Exception {
        Upload upload = new Upload();
        upload.send("a");
        awaitHandled(1);

        assertThat(drain.endAll()).isEqualTo(1);

        Status status = upload.await();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo(StreamDrain.DESCRIPTION);
        assertThat(handlerSawEnd.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void aMessageBeingHandledFinishesFirstAndNothingAfterItIsHandled() throws Exception {
        holdMessage = new CountDownLatch(1);
        Upload upload = new Upload();
        upload.send("batch-1");
        assertThat(insideMessage.await(5, TimeUnit.SECONDS)).isTrue();
        upload.send("batch-2");

        drain.endAll();
        assertThat(upload.status).as("not ended while a message is handled").isNotDone();
        holdMessage.countDown();

        assertThat(upload.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        Thread.sleep(200);
        assertThat(handled).containsExactly("batch-1");
    }

    @Test
    void aStreamStartedAfterTheDrainEndsToo() throws Exception {
        drain.endAll();

        Upload upload = new Upload();
        upload.send("late");

        assertThat(upload.await().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(handled).isEmpty();
    }

    @Test
    void aStreamThatCompletedIsLeftAloneAndUnaryCallsAreUntouched() throws Exception {
        Upload upload = new Upload();
        upload.send("a");
        upload.call.halfClose();
        assertThat(upload.await().getCode()).isEqualTo(Status.Code.OK);

        assertThat(drain.endAll()).isZero();
        assertThat(io.grpc.stub.ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, "ping"))
                .isEqualTo("ping");
    }
}
