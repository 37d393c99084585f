package dev.labbook.server.grpc;

import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.access.AuthenticatorChain;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps verifying the credentials of open streams: a stream may stay open for hours (a follow, a
 * watch, a long metric stream), and a revoked or expired credential must end it. Every
 * {@code interval} the credential is authenticated again (a cache hit, mostly); a refusal closes
 * the stream with its status (UNAUTHENTICATED, TOKEN_REVOKED / CREDENTIALS_EXPIRED).
 */
final class CredentialWatch implements AutoCloseable {
    private final AuthenticatorChain authenticators;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "labbook-access-recheck");
        thread.setDaemon(true);
        return thread;
    });

    CredentialWatch(AuthenticatorChain authenticators, Duration interval) {
        this.authenticators = authenticators;
        this.interval = interval;
    }

    /** Watches the call's credential until the call ends; the listener to use for it. */
    <ReqT, RespT> ServerCall.Listener<ReqT> watch(ServerCall.Listener<ReqT> listener, GuardedCall<ReqT, RespT> call,
            Optional<String> credential) {
        long every = interval.toMillis();
        ScheduledFuture<?> recheck = timer.scheduleWithFixedDelay(() -> {
            try {
                authenticators.authenticate(credential);
            } catch (LabbookException e) {
                call.close(e);
            } catch (RuntimeException e) {
                // An authenticator that cannot answer now (database down) does not end streams.
            }
        }, every, every, TimeUnit.MILLISECONDS);
        call.onClose(() -> recheck.cancel(false));
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                recheck.cancel(false);
                super.onCancel();
            }

            @Override
            public void onComplete() {
                recheck.cancel(false);
                super.onComplete();
            }
        };
    }

    /** Stops watching (at server shutdown). */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
