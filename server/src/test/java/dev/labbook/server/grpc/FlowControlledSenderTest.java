package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.UnavailableException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one flow-controlled server-stream sender (artifact downloads, metric history), against a
 * call whose transport takes a set number of messages before it is not ready: it sends only while
 * ready, resumes on the ready callback, stops on cancel, and reports an error once.
 */
class FlowControlledSenderTest {

    /** A call that is ready for {@code credit} more messages and records what it was told. */
    private static final class FakeCall extends ServerCallStreamObserver<String> {
        final List<String> sent = new ArrayList<>();
        final List<Status> errors = new ArrayList<>();
        int completions;
        int credit;
        Runnable onReady;
        Runnable onCancel;
        boolean cancelled;

        FakeCall(int credit) {
            this.credit = credit;
        }

        /** The transport drained: more room, and the ready callback, as gRPC would call it. */
        void drain(int more) {
            credit += more;
            onReady.run();
        }

        void cancel() {
            cancelled = true;
            credit = 0;
            onCancel.run();
        }

        @Override
        public boolean isReady() {
            return credit > 0 && !cancelled;
        }

        @Override
        public void onNext(String value) {
            if (credit <= 0) {
                throw new AssertionError("sent while not ready: " + value);
            }
            credit--;
            sent.add(value);
        }

        @Override
        public void onError(Throwable t) {
            errors.add(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            completions++;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void setOnCancelHandler(Runnable handler) {
            onCancel = handler;
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
            onReady = handler;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }
    }

    /** Messages m0..m(count-1); optionally fails instead of giving message {@code failAt}. */
    private static final class CountingSource implements FlowControlledSender.Source<String> {
        final int count;
        final int failAt;
        int pulled;
        int closes;

        CountingSource(int count, int failAt) {
            this.count = count;
            this.failAt = failAt;
        }

        @Override
        public String next() {
            if (pulled == failAt) {
                pulled++;
                throw new UnavailableException(ErrorReason.ARTIFACT_STORE_UNAVAILABLE, "store went away", null);
            }
            return pulled < count ? "m" + pulled++ : null;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    void sendsOnlyWhileReadyAndResumesOnTheReadyCallback() {
        FakeCall call = new FakeCall(0);
        CountingSource source = new CountingSource(5, -1);

        FlowControlledSender.start(call, source);
        assertThat(call.sent).isEmpty();
        assertThat(source.pulled).as("nothing is read ahead of the transport").isZero();

        call.drain(2);
        assertThat(call.sent).containsExactly("m0", "m1");
        assertThat(source.pulled).isEqualTo(2);
        assertThat(call.completions).isZero();

        call.drain(10);
        assertThat(call.sent).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(call.completions).isOne();
        assertThat(source.closes).isOne();

        call.drain(1);
        assertThat(call.completions).as("a late ready callback sends nothing more").isOne();
        assertThat(call.errors).isEmpty();
        assertThat(source.closes).isOne();
    }

    @Test
    void anEmptySourceCompletesAtOnce() {
        FakeCall call = new FakeCall(1);
        CountingSource source = new CountingSource(0, -1);

        FlowControlledSender.start(call, source);

        assertThat(call.sent).isEmpty();
        assertThat(call.completions).isOne();
        assertThat(source.closes).isOne();
    }

    @Test
    void stopsWhenTheClientCancels() {
        FakeCall call = new FakeCall(1);
        CountingSource source = new CountingSource(5, -1);
        FlowControlledSender.start(call, source);
        assertThat(call.sent).containsExactly("m0");

        call.cancel();
        assertThat(source.closes).isOne();
        call.cancelled = false; // even if the transport said ready again, the stream is over
        call.drain(10);

        assertThat(call.sent).containsExactly("m0");
        assertThat(source.pulled).isOne();
        assertThat(call.completions).isZero();
        assertThat(call.errors).isEmpty();
        assertThat(source.closes).isOne();
    }

    @Test
    void anErrorEndsTheStreamOnceWithItsStatus() {
        FakeCall call = new FakeCall(10);
        CountingSource source = new CountingSource(5, 2);

        FlowControlledSender.start(call, source);
        call.drain(10);

        assertThat(call.sent).containsExactly("m0", "m1");
        assertThat(call.errors).hasSize(1);
        assertThat(call.errors.get(0).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(call.errors.get(0).getDescription()).isEqualTo("store went away");
        assertThat(call.completions).isZero();
        assertThat(source.pulled).as("nothing is read after the error").isEqualTo(3);
        assertThat(source.closes).isOne();
    }
}
