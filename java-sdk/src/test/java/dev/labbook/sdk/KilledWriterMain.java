package dev.labbook.sdk;

import dev.labbook.sdk.internal.OnlineSink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A training process for OutageIT, run in a child JVM that the test kills with SIGKILL: it opens
 * a run, waits for a line on stdin (the server is stopped then), logs every kind of call, waits
 * until the SDK has moved all of it to the spool (LABBOOK_SPOOL_DIR, LABBOOK_SPOOL_AFTER_SECONDS
 * from the environment), says "spooled" and waits to be killed.
 */
public final class KilledWriterMain {
    private KilledWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Labbook lb = Labbook.connect(args[0]);
        Run run = lb.experiment("outage").startRun("killed");
        System.out.println("run-id=" + run.id());
        System.out.flush();
        in.readLine();
        run.logParams(Map.of("lr", 0.1));
        run.setTag("phase", "outage");
        run.setDescription("killed");
        for (int i = 0; i < 270; i++) {
            run.log("line " + i);
            if (i % 10 == 0) {
                run.logRow("per_step", Map.of("step", i / 10));
            }
            run.logMetric("loss", i);
        }
        run.complete();
        run.flush(1);
        OnlineSink sink = (OnlineSink) run.sink();
        while (sink.calls().inMemory() > 0 || sink.metricSender().batchesInMemory() > 0) {
            Thread.sleep(20);
        }
        System.out.println("spooled");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
