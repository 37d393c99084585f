package dev.labbook.sdk;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of a real Labbook server that forwards every call byte for byte, except
 * that it can answer the next calls of a method with a chosen status instead (what a busy
 * server, an auth proxy or a server bug would answer), and records every call's outcome in the
 * order the calls finished.
 */
final class FaultProxy implements AutoCloseable {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** A finished call: the method's simple name (e.g. {@code LogMetrics}) and its status code. */
    record Outcome(String method, Status.Code code) {
    }

    private final ManagedChannel upstream;
    private final Server server;
    private final Map<String, Deque<Status>> faults = new ConcurrentHashMap<>();
    private final Map<String, Integer> lostAnswers = new ConcurrentHashMap<>();
    private final List<Outcome> outcomes = new ArrayList<>();

    FaultProxy(String upstreamTarget) {
        Target t = Target.parse(upstreamTarget);
        this.upstream = NettyChannelBuilder.forAddress(t.host(), t.port()).usePlaintext().build();
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
            this.server = builder
                    .fallbackHandlerRegistry(new HandlerRegistry() {
                        @Override
                        public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
                            MethodDescriptor<byte[], byte[]> md = MethodDescriptor.<byte[], byte[]>newBuilder()
                                    .setFullMethodName(methodName).setType(MethodDescriptor.MethodType.UNKNOWN)
                                    .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
                            return ServerMethodDefinition.create(md, new Forward(md));
                        }
                    }).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String target() {
        return "127.0.0.1:" + server.getPort();
    }

    /** The next {@code times} calls of the method (simple name, e.g. {@code LogMetrics}) fail with {@code status}. */
    void failNext(String method, Status status, int times) {
        Deque<Status> q = faults.computeIfAbsent(method, k -> new ArrayDeque<>());
        synchronized (q) {
            for (int i = 0; i < times; i++) {
                q.add(status);
            }
        }
    }

    /**
     * The next {@code times} calls of the method reach the server, but their answer is lost: the
     * client sees UNAVAILABLE (a connection that broke after the server committed).
     */
    void loseAnswerOfNext(String method, int times) {
        lostAnswers.merge(method, times, Integer::sum);
    }

    private boolean takeLostAnswer(String method) {
        boolean[] taken = new boolean[1];
        lostAnswers.computeIfPresent(method, (k, n) -> {
            taken[0] = true;
            return n > 1 ? n - 1 : null;
        });
        return taken[0];
    }

    /** Forgets the faults still waiting for calls of the method. */
    void clearFaults(String method) {
        Deque<Status> q = faults.get(method);
        if (q != null) {
            synchronized (q) {
                q.clear();
            }
        }
    }

    /** Faults still waiting for a call of the method. */
    int faultsLeft(String method) {
        Deque<Status> q = faults.get(method);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            return q.size();
        }
    }

    synchronized List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    private synchronized void record(String method, Status.Code code) {
        outcomes.add(new Outcome(method, code));
    }

    private Status nextFault(String method) {
        Deque<Status> q = faults.get(method);
        if (q == null) {
            return null;
        }
        synchronized (q) {
            return q.poll();
        }
    }

    private final class Forward implements ServerCallHandler<byte[], byte[]> {
        private final MethodDescriptor<byte[], byte[]> method;
        private final String simpleName;

        Forward(MethodDescriptor<byte[], byte[]> method) {
            this.method = method;
            this.simpleName = method.getBareMethodName();
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> serverCall, Metadata headers) {
            Status fault = nextFault(simpleName);
            if (fault != null) {
                record(simpleName, fault.getCode());
                serverCall.close(fault, new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            boolean loseAnswer = takeLostAnswer(simpleName);
            ClientCall<byte[], byte[]> call = upstream.newCall(method, CallOptions.DEFAULT);
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onHeaders(Metadata h) {
                    if (loseAnswer) {
                        return;
                    }
                    synchronized (serverCall) {
                        serverCall.sendHeaders(h);
                    }
                }

                @Override
                public void onMessage(byte[] message) {
                    if (!loseAnswer) {
                        synchronized (serverCall) {
                            serverCall.sendMessage(message);
                        }
                    }
                    call.request(1);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    record(simpleName, status.getCode());
                    synchronized (serverCall) {
                        if (loseAnswer) {
                            serverCall.close(Status.UNAVAILABLE.withDescription("answer lost"), new Metadata());
                        } else {
                            serverCall.close(status, trailers);
                        }
                    }
                }
            }, headers);
            call.request(1);
            synchronized (serverCall) {
                serverCall.request(1);
            }
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(byte[] message) {
                    synchronized (call) {
                        call.sendMessage(message);
                    }
                    synchronized (serverCall) {
                        serverCall.request(1);
                    }
                }

                @Override
                public void onHalfClose() {
                    synchronized (call) {
                        call.halfClose();
                    }
                }

                @Override
                public void onCancel() {
                    synchronized (call) {
                        call.cancel("client cancelled", null);
                    }
                }
            };
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        upstream.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
