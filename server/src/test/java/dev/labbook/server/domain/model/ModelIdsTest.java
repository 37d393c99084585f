package dev.labbook.server.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.domain.InvalidArgumentException;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ModelIdsTest {

    @Test
    void idsRoundTripAsMDashAnd32LowerCaseHexDigits() {
        IdGenerator ids = new IdGenerator(Clock.systemUTC());
        for (int i = 0; i < 100; i++) {
            UUID id = ids.next();
            String text = ModelIds.format(id);
            assertThat(text).matches("m-[0-9a-f]{32}");
            assertThat(ModelIds.parse("model_id", text)).isEqualTo(id);
            assertThat(ModelIds.parse("model_id", text.toUpperCase().replace("M-", "m-"))).isEqualTo(id);
        }
        UUID high = new UUID(-1L, -1L);
        assertThat(ModelIds.format(high)).isEqualTo("m-" + "f".repeat(32));
        assertThat(ModelIds.parse("x", "m-" + "f".repeat(32))).isEqualTo(high);
    }

    @Test
    void malformedIdsAreRefusedNamingTheField() {
        for (String bad : new String[] {"", "m-", "m-123", "M-" + "0".repeat(32), "m-" + "g".repeat(32),
                "m-" + "0".repeat(33), UUID.randomUUID().toString(), "m-" + "0".repeat(31) + "\n"}) {
            assertThatThrownBy(() -> ModelIds.parse("model_id", bad)).as(bad)
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).isEqualTo("model_id"));
        }
        assertThatThrownBy(() -> ModelIds.parse("model_id", null)).isInstanceOf(InvalidArgumentException.class);
    }
}
