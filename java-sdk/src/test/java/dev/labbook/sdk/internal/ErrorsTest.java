package dev.labbook.sdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.labbook.sdk.ErrorReason;
import dev.labbook.sdk.EtagMismatchException;
import dev.labbook.sdk.FailedPreconditionException;
import dev.labbook.sdk.InvalidArgumentException;
import dev.labbook.sdk.InvalidStatusTransitionException;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.NotFoundException;
import dev.labbook.sdk.PermissionDeniedException;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.UnauthenticatedException;
import dev.labbook.sdk.UnavailableException;
import dev.labbook.sdk.UploadOffsetMismatchException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SDK's exceptions from rich statuses: reason and metadata from ErrorInfo, values from the other details. */
class ErrorsTest {
    private static StatusRuntimeException error(Code code, String message, Any... details) {
        com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder().setCode(code.getNumber())
                .setMessage(message);
        for (Any d : details) {
            s.addDetails(d);
        }
        return StatusProto.toStatusRuntimeException(s.build());
    }

    private static Any info(String reason, Map<String, String> metadata) {
        return Any.pack(ErrorInfo.newBuilder().setDomain("labbook.dev").setReason(reason).putAllMetadata(metadata)
                .build());
    }

    @Test
    void notFoundCarriesItsReasonAndMetadata() {
        LabbookException e = Errors.translate(error(Code.NOT_FOUND, "run x not found",
                info("RUN_NOT_FOUND", Map.of("run_id", "x"))));
        assertThat(e).isInstanceOf(NotFoundException.class);
        assertThat(e.code()).isEqualTo("NOT_FOUND");
        assertThat(e.reason()).isEqualTo(ErrorReason.RUN_NOT_FOUND);
        assertThat(e.metadata()).containsEntry("run_id", "x");
        assertThat(e.getMessage()).isEqualTo("run x not found");
    }

    @Test
    void aStaleEtagIsAnEtagMismatchException() {
        LabbookException e = Errors.translate(error(Code.FAILED_PRECONDITION, "stale", info("ETAG_MISMATCH", Map.of())));
        assertThat(e).isInstanceOf(EtagMismatchException.class).isInstanceOf(FailedPreconditionException.class);
        assertThat(e.reason()).isEqualTo(ErrorReason.ETAG_MISMATCH);
    }

    @Test
    void anUploadOffsetMismatchGivesTheOffsetFromTheDetailsNotTheText() {
        Any violation = Any.pack(PreconditionFailure.newBuilder().addViolations(PreconditionFailure.Violation
                .newBuilder().setType("UPLOAD_OFFSET_MISMATCH").setSubject("offset=16777216")
                .setDescription("upload has 99 bytes")).build());
        LabbookException fromSubject = Errors.translate(error(Code.FAILED_PRECONDITION, "text says 99",
                info("UPLOAD_OFFSET_MISMATCH", Map.of()), violation));
        assertThat(fromSubject).isInstanceOfSatisfying(UploadOffsetMismatchException.class,
                m -> assertThat(m.expectedOffset()).isEqualTo(16_777_216L));
        LabbookException fromMetadata = Errors.translate(error(Code.FAILED_PRECONDITION, "text says 99",
                info("UPLOAD_OFFSET_MISMATCH", Map.of("expected_offset", "8388608"))));
        assertThat(fromMetadata).isInstanceOfSatisfying(UploadOffsetMismatchException.class,
                m -> assertThat(m.expectedOffset()).isEqualTo(8_388_608L));
        LabbookException unknown = Errors.translate(error(Code.FAILED_PRECONDITION, "no detail",
                info("UPLOAD_OFFSET_MISMATCH", Map.of())));
        assertThat(((UploadOffsetMismatchException) unknown).expectedOffset()).isEqualTo(-1);
    }

    @Test
    void anInvalidTransitionNamesTheRunsStatus() {
        LabbookException e = Errors.translate(error(Code.FAILED_PRECONDITION, "run is COMPLETED",
                info("INVALID_STATUS_TRANSITION", Map.of("status", "RUN_STATUS_COMPLETED"))));
        assertThat(e).isInstanceOfSatisfying(InvalidStatusTransitionException.class,
                t -> assertThat(t.runStatus()).isEqualTo(RunStatus.COMPLETED));
    }

    @Test
    void theFieldComesFromBadRequestElseFromTheMetadata() {
        Any badRequest = Any.pack(BadRequest.newBuilder()
                .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("params[0].key")).build());
        LabbookException e = Errors.translate(error(Code.INVALID_ARGUMENT, "bad key",
                info("INVALID_FIELD", Map.of("field", "other")), badRequest));
        assertThat(e).isInstanceOfSatisfying(InvalidArgumentException.class,
                i -> assertThat(i.field()).isEqualTo("params[0].key"));
        LabbookException m = Errors.translate(error(Code.INVALID_ARGUMENT, "bad filter",
                info("INVALID_FILTER", Map.of("field", "filter", "column", "12"))));
        assertThat(((InvalidArgumentException) m).field()).isEqualTo("filter");
        assertThat(m.reason()).isEqualTo(ErrorReason.INVALID_FILTER);
        assertThat(m.metadata()).containsEntry("column", "12");
    }

    @Test
    void unknownReasonsOtherDomainsAndPlainStatusesAreUnknown() {
        assertThat(Errors.translate(error(Code.NOT_FOUND, "x", info("SOMETHING_NEWER", Map.of()))).reason())
                .isEqualTo(ErrorReason.UNKNOWN);
        Any foreign = Any.pack(ErrorInfo.newBuilder().setDomain("googleapis.com").setReason("RUN_NOT_FOUND").build());
        assertThat(Errors.translate(error(Code.NOT_FOUND, "x", foreign)).reason()).isEqualTo(ErrorReason.UNKNOWN);
        LabbookException plain = Errors.translate(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
        assertThat(plain).isInstanceOf(UnavailableException.class);
        assertThat(plain.reason()).isEqualTo(ErrorReason.UNKNOWN);
        assertThat(plain.metadata()).isEmpty();
        assertThat(ErrorReason.of("ERROR_REASON_RUN_DELETED")).isEqualTo(ErrorReason.RUN_DELETED);
    }

    @Test
    void authFailuresAreTypedSayWhyAndWhatToDoAndCountAsAnOutageForBackgroundSenders() {
        LabbookException revoked = Errors.translate(error(Code.UNAUTHENTICATED, "token 'ci' (lbk_AbCd) was revoked",
                info("TOKEN_REVOKED", Map.of())));
        assertThat(revoked).isInstanceOf(UnauthenticatedException.class);
        assertThat(revoked.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(revoked.reason()).isEqualTo(ErrorReason.TOKEN_REVOKED);
        assertThat(revoked.getMessage()).isEqualTo("token 'ci' (lbk_AbCd) was revoked (" + UnauthenticatedException.HINT
                + ")");
        LabbookException role = Errors.translate(error(Code.PERMISSION_DENIED,
                "token:ci has no editor role in project 'vision'", info("ROLE_MISSING", Map.of())));
        assertThat(role).isInstanceOf(PermissionDeniedException.class);
        assertThat(role.reason()).isEqualTo(ErrorReason.ROLE_MISSING);
        assertThat(role.getMessage()).startsWith("token:ci has no editor role in project 'vision' (")
                .contains("labbook login");
        assertThat(Errors.disposition(revoked)).isEqualTo(Errors.Disposition.OUTAGE);
        assertThat(Errors.disposition(role)).isEqualTo(Errors.Disposition.OUTAGE);
        assertThat(Errors.isAuthFailure(role)).isTrue();
        assertThat(Errors.isAuthFailure(Errors.translate(Status.UNAVAILABLE.asRuntimeException()))).isFalse();
    }

    @Test
    void serverBusyIsRetriedAndOtherResourceExhaustedIsNot() {
        StatusRuntimeException busy = error(Code.RESOURCE_EXHAUSTED, "server busy", info("SERVER_BUSY", Map.of()));
        StatusRuntimeException tooLarge = error(Code.RESOURCE_EXHAUSTED, "too large",
                info("MESSAGE_TOO_LARGE", Map.of()));
        assertThat(Errors.isRetryable(busy)).isTrue();
        assertThat(Errors.isRetryable(Errors.translate(busy))).isTrue();
        assertThat(Errors.translate(busy).reason()).isEqualTo(ErrorReason.SERVER_BUSY);
        assertThat(Errors.isRetryable(tooLarge)).isFalse();
        assertThat(Errors.isRetryable(Errors.translate(tooLarge))).isFalse();
        // Background senders keep the data either way.
        assertThat(Errors.disposition(busy)).isEqualTo(Errors.Disposition.OUTAGE);
    }

    @Test
    void theJavaEnumMirrorsTheApisReasons() {
        for (dev.labbook.api.v1.ErrorReason r : dev.labbook.api.v1.ErrorReason.values()) {
            if (r == dev.labbook.api.v1.ErrorReason.UNRECOGNIZED
                    || r == dev.labbook.api.v1.ErrorReason.ERROR_REASON_UNSPECIFIED) {
                continue;
            }
            assertThat(ErrorReason.of(r.name())).as(r.name()).isNotEqualTo(ErrorReason.UNKNOWN);
        }
    }
}
