package dev.labbook.sdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.MetricBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricRecorderTest {
    private final List<PointBlock> blocks = new ArrayList<>();
    private final MetricRecorder recorder = new MetricRecorder(4, blocks::add);

    @Test
    void sealsFullBlocksAndPartialOnesOnRequest() {
        for (int i = 0; i < 10; i++) {
            recorder.record("loss", i);
        }
        assertThat(blocks).extracting(PointBlock::size).containsExactly(4, 4);
        recorder.sealPartial();
        recorder.sealPartial(); // nothing buffered: no empty block
        assertThat(blocks).extracting(PointBlock::size).containsExactly(4, 4, 2);
        assertThat(blocks.get(2).steps()).containsExactly(8, 9);
    }

    @Test
    void closeLeavesNoPointInTheBufferEvenWithConcurrentLoggers() throws Exception {
        List<PointBlock> sealed = java.util.Collections.synchronizedList(new ArrayList<>());
        MetricRecorder r = new MetricRecorder(1000, sealed::add);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> loggers = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    r.record("x", 1);
                }
            });
            t.start();
            loggers.add(t);
        }
        Thread.sleep(50);
        r.close();
        int afterClose = sealed.size();
        Thread.sleep(20); // loggers keep calling record after close
        stop.set(true);
        for (Thread t : loggers) {
            t.join();
        }
        r.sealPartial();
        assertThat(sealed).hasSize(afterClose).isNotEmpty();
    }

    @Test
    void automaticStepsContinueAfterExplicitAndSeededOnes() {
        recorder.record("a", 1, 10, 5);
        recorder.record("a", 2);
        recorder.seedStep("b", 41);
        recorder.record("b", 3);
        recorder.record("a", 4, 3, 5); // a smaller explicit step does not move the counter back
        recorder.record("a", 5);
        recorder.sealPartial();
        List<Long> steps = new ArrayList<>();
        blocks.forEach(b -> {
            for (int i = 0; i < b.size(); i++) {
                steps.add(b.steps()[i]);
            }
        });
        assertThat(steps).containsExactly(10L, 11L, 42L, 3L, 12L);
    }

    @Test
    void toBatchBuildsAPerBatchKeyDictionary() {
        recorder.record("x", 1);
        recorder.record("y", 2);
        recorder.record("z", 3);
        recorder.record("y", 4);
        MetricBatch b = blocks.get(0).toBatch("run", "w", 7, recorder.keyNames());
        assertThat(b.getKeysList()).containsExactly("x", "y", "z");
        assertThat(b.getKeyIndexList()).containsExactly(0, 1, 2, 1);
        assertThat(b.getSequence()).isEqualTo(7);
        recorder.record("z", 5);
        recorder.sealPartial();
        MetricBatch second = blocks.get(1).toBatch("run", "w", 8, recorder.keyNames());
        assertThat(second.getKeysList()).containsExactly("z");
        assertThat(second.getKeyIndexList()).containsExactly(0);
    }

    @Test
    void aBlockNeverCarriesMoreThanAThousandKeys() {
        MetricRecorder wide = new MetricRecorder(5000, blocks::add);
        for (int k = 0; k < 1500; k++) {
            wide.record("k" + k, k);
        }
        wide.sealPartial();
        assertThat(blocks).extracting(PointBlock::size).containsExactly(1000, 500);
    }
}
