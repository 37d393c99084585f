package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Run.getContext() in a child JVM whose environment says where the run is (docs/script-mode.md). */
@ExtendWith(LabbookServerExtension.class)
class ScriptModeIT {
    @TempDir
    Path tmp;
    private LabbookClient client;

    @BeforeEach
    void connect(TestServer server) {
        client = LabbookClient.connect(server.target());
    }

    @AfterEach
    void close() {
        client.close();
    }

    private record Child(int exit, String stdout, String stderr) {
        String value(String key) {
            return stdout.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + stdout + stderr));
        }
    }

    private Child runScript(Map<String, String> env, String... args) throws Exception {
        return runScript(env, List.of(), args);
    }

    private Child runScript(Map<String, String> env, List<String> jvmArgs, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ScriptModeMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_"));
        pb.environment().put("LABBOOK_SPOOL_DIR", tmp.resolve("spool").toString());
        pb.environment().putAll(env);
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void anOfflineRunWithNowhereToWriteDiscardsInsteadOfThrowing() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Child child = runScript(Map.of("LABBOOK_OFFLINE_DIR", file.resolve("runs").toString()),
                List.of("-Djava.io.tmpdir=" + file.resolve("tmp")));
        assertThat(child.exit()).as(child.stderr()).isZero();
        assertThat(child.value("offline-dir")).isEqualTo("null");
        assertThat(child.stderr()).contains("is discarded");
    }

    @Test
    void withoutARunNameOpeningTheRunIsStillRetried(TestServer server) throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.target())) {
            proxy.failNext("OpenRun", io.grpc.Status.UNAVAILABLE.withDescription("restarting"), 2);
            String runId;
            try (Run run = Run.getContext(Map.of("LABBOOK_TRACKING_URI", "grpc://" + proxy.target(),
                    "LABBOOK_EXPERIMENT", "script", "LABBOOK_SPOOL_DIR", tmp.resolve("spool").toString()))) {
                runId = run.id();
                assertThat(run.name()).matches("run-[0-9a-f]{12}");
            }
            assertThat(proxy.faultsLeft("OpenRun")).isZero();
            assertThat(client.runs().get(runId).status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void trackingUriOpensARunCompletedOnNormalExit(TestServer server) throws Exception {
        Child child = runScript(Map.of("LABBOOK_TRACKING_URI", "grpc://" + server.target(),
                "LABBOOK_EXPERIMENT", "script", "LABBOOK_RUN_NAME", "nightly"));
        assertThat(child.exit()).as(child.stderr()).isZero();
        RunInfo run = client.runs().get(child.value("run-id"));
        assertThat(run.name()).isEqualTo("nightly");
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.params()).containsEntry("lr", 0.1);
        assertThat(run.source().script()).isEqualTo(ScriptModeMain.class.getName());
        assertThat(client.metrics().history(run.id(), "loss").size()).isEqualTo(3);
        assertThat(client.logs().read(run.id(), 0, 0, null)).extracting(LogLine::text).containsExactly("from the script");
    }

    @Test
    void anUncaughtExceptionMarksTheRunFailed(TestServer server) throws Exception {
        Child child = runScript(Map.of("LABBOOK_TRACKING_URI", server.target(), "LABBOOK_EXPERIMENT", "script",
                "LABBOOK_PROJECT", "proj"), "throw");
        assertThat(child.exit()).isNotZero();
        assertThat(child.stderr()).contains("training diverged");
        RunInfo run = client.runs().get(child.value("run-id"));
        assertThat(run.name()).startsWith("run-");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(client.experiments().get(run.experimentId()).project()).isEqualTo("proj");
        assertThat(client.metrics().history(run.id(), "loss").size()).isEqualTo(3);
        assertThat(client.logs().read(run.id(), 0, 0, LogLevel.ERROR).get(0).text()).contains("training diverged");
    }

    @Test
    void runIdAttachesWithoutChangingTheStatus(TestServer server) throws Exception {
        RunInfo owned = client.runs().open(NewRun.in("script").withName("by-labbook-run")).run();
        Child child = runScript(Map.of("LABBOOK_TRACKING_URI", server.target(), "LABBOOK_RUN_ID", owned.id()));
        assertThat(child.exit()).as(child.stderr()).isZero();
        assertThat(child.value("run-id")).isEqualTo(owned.id());
        assertThat(client.runs().get(owned.id()).status()).isEqualTo(RunStatus.RUNNING);
        assertThat(client.metrics().history(owned.id(), "loss").size()).isEqualTo(3);
    }

    @Test
    void unknownRunIdFails(TestServer server) throws Exception {
        Child child = runScript(Map.of("LABBOOK_TRACKING_URI", server.target(),
                "LABBOOK_RUN_ID", java.util.UUID.randomUUID().toString()));
        assertThat(child.exit()).isNotZero();
        assertThat(child.stderr()).contains("NotFoundException");
    }

    @Test
    void nothingSetWritesAnOfflineRunAndWarnsOnce() throws Exception {
        Child child = runScript(Map.of("LABBOOK_OFFLINE_DIR", tmp.resolve("off").toString(),
                "LABBOOK_EXPERIMENT", "offline-exp"));
        assertThat(child.exit()).as(child.stderr()).isZero();
        assertThat(child.value("run-id")).isEqualTo("null");
        Path dir = Path.of(child.value("offline-dir"));
        assertThat(dir.getParent()).isEqualTo(tmp.resolve("off"));
        assertThat(child.stderr().split("LABBOOK_TRACKING_URI is not set", -1)).hasSize(2);
        String runJson = Files.readString(dir.resolve("run.json"));
        assertThat(runJson).contains("\"status\":\"COMPLETED\"").contains("\"experiment\":\"offline-exp\"");
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSize(1);
        assertThat(new File(dir.toFile(), "logs.jsonl")).exists();
    }
}
