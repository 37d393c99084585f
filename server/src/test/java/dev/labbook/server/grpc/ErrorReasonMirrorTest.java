package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.domain.ErrorReason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The domain's ErrorReason must name exactly the reasons labbook.v1.ErrorReason documents. */
class ErrorReasonMirrorTest {
    @Test
    void domainReasonsAreTheProtoReasonsWithoutPrefix() {
        var fromProto = Arrays.stream(dev.labbook.api.v1.ErrorReason.values())
                .filter(r -> r != dev.labbook.api.v1.ErrorReason.UNRECOGNIZED
                        && r != dev.labbook.api.v1.ErrorReason.ERROR_REASON_UNSPECIFIED)
                .map(r -> r.name().substring("ERROR_REASON_".length()))
                .toList();
        var domain = Arrays.stream(ErrorReason.values()).map(Enum::name).toList();
        assertThat(domain).containsExactlyInAnyOrderElementsOf(fromProto);
    }
}
