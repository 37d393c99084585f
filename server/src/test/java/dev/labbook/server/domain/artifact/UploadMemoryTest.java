package dev.labbook.server.domain.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.ResourceExhaustedException;
import org.junit.jupiter.api.Test;

class UploadMemoryTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void reservesWholeMebibytesAndRefusesBeyondTheBudget() {
        UploadMemory memory = new UploadMemory(24L * MIB, 0);

        int first = memory.reserve(8 * MIB);
        int second = memory.reserve(8 * MIB + 1);

        assertThat(first).isEqualTo(8);
        assertThat(second).isEqualTo(9);
        assertThatThrownBy(() -> memory.reserve(8 * MIB)).isInstanceOf(ResourceExhaustedException.class)
                .hasMessageContaining("busy with other uploads");
        assertThat(memory.reserve(7 * MIB)).isEqualTo(7);
    }

    @Test
    void releasedMemoryCanBeReservedAgain() {
        UploadMemory memory = new UploadMemory(8L * MIB, 0);
        int reserved = memory.reserve(8 * MIB);
        assertThatThrownBy(() -> memory.reserve(1)).isInstanceOf(ResourceExhaustedException.class);

        memory.release(reserved);

        assertThat(memory.reserve(8 * MIB)).isEqualTo(8);
    }
}
