package dev.labbook.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** MLflow's filter and order_by re-written in Labbook's filter language: re-quoted, never pasted. */
class MlflowSearchTranslatorTest {
    private static String filter(String mlflow) {
        return MlflowSearchTranslator.runFilter(mlflow);
    }

    @Test
    void theRecordedClientFiltersTranslate() {
        assertThat(filter("metrics.acc > 0.5")).isEqualTo("metrics.`acc` > 0.5");
        assertThat(filter("params.lr = '0.01' and attributes.status = 'FINISHED'"))
                .isEqualTo("params.`lr` = '0.01' AND status IN ('COMPLETED')");
        assertThat(filter("")).isEmpty();
        assertThat(filter("   ")).isEmpty();
    }

    @Test
    void keysAreAlwaysBackquotedSoDotsAndAggregatesStayPartOfTheKey() {
        assertThat(filter("metrics.loss.min < 1")).isEqualTo("metrics.`loss.min` < 1");
        assertThat(filter("metrics.`val acc` >= 0.9")).isEqualTo("metrics.`val acc` >= 0.9");
        assertThat(filter("metrics.\"val acc\" >= 0.9")).isEqualTo("metrics.`val acc` >= 0.9");
        assertThat(filter("params.`a``b` = 'x'")).isEqualTo("params.`a``b` = 'x'");
        assertThat(filter("tags.\"a`b\" = 'x'")).isEqualTo("tags.`a``b` = 'x'");
        assertThat(filter("metric.train/loss <= -1e-3")).isEqualTo("metrics.`train/loss` <= -1e-3");
        assertThat(filter("param.x != 'y' AND tag.t LIKE 'a%' AND tags.u ILIKE '%B'"))
                .isEqualTo("params.`x` != 'y' AND tags.`t` LIKE 'a%' AND tags.`u` ILIKE '%B'");
    }

    @Test
    void injectionAttemptsStayOneLiteral() {
        assertThat(filter("params.x = 'a'' OR 1=1'")).isEqualTo("params.`x` = 'a'' OR 1=1'");
        assertThat(filter("params.x = \"a' OR '1'='1\"")).isEqualTo("params.`x` = 'a'' OR ''1''=''1'");
        assertThatThrownBy(() -> filter("tags.`k` OR 1=1 --` = 'v'"))
                .isInstanceOf(MlflowException.class).hasMessageContaining("operator");
        assertThatThrownBy(() -> filter("params.x = 'a' OR params.y = 'b'"))
                .isInstanceOf(MlflowException.class).hasMessageContaining("AND");
        assertThatThrownBy(() -> filter("params.x = 'a'; DROP TABLE run"))
                .isInstanceOf(MlflowException.class).hasMessageContaining("column");
        assertThatThrownBy(() -> filter("metrics.acc > 1 OR 1"))
                .isInstanceOf(MlflowException.class);
    }

    @Test
    void aBacktickInsideADoubleQuotedKeyIsDoubled() {
        String translated = filter("tags.\"x` OR 1=1 OR tags.`y\" = 'v'");
        assertThat(translated).isEqualTo("tags.`x`` OR 1=1 OR tags.``y` = 'v'");
    }

    @Test
    void statusesMapBothWaysAndRunningAlsoMeansCrashed() {
        assertThat(filter("attributes.status = 'RUNNING'")).isEqualTo("status IN ('RUNNING', 'CRASHED')");
        assertThat(filter("status != 'KILLED'")).isEqualTo("status NOT IN ('CANCELED')");
        assertThat(filter("attributes.status IN ('FINISHED', 'FAILED', 'SCHEDULED')"))
                .isEqualTo("status IN ('COMPLETED', 'FAILED', 'QUEUED')");
        assertThatThrownBy(() -> filter("status = 'DONE'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("DONE");
        assertThatThrownBy(() -> filter("status LIKE 'F%'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("LIKE");
    }

    @Test
    void runNameIsTheTagOrTheLabbookName() {
        assertThat(filter("attributes.run_name = 'a''b'")).isEqualTo(
                "(tags.`mlflow.runName` = 'a''b' OR (tags.`mlflow.runName` IS NULL AND name = 'a''b'))");
        assertThat(filter("run_name IN ('x', 'y')")).isEqualTo(
                "(tags.`mlflow.runName` IN ('x', 'y') OR (tags.`mlflow.runName` IS NULL AND name IN ('x', 'y')))");
    }

    @Test
    void timesAndUsers() {
        assertThat(filter("attributes.start_time >= 1700000000000 AND end_time < 1800000000000"))
                .isEqualTo("start_time >= 1700000000000 AND end_time < 1800000000000");
        assertThat(filter("attributes.user_id = 'ann'")).isEqualTo("tags.`mlflow.user` = 'ann'");
        assertThatThrownBy(() -> filter("start_time > 'yesterday'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("expected a number");
    }

    @Test
    void nullsInAndParamNumbersAsText() {
        assertThat(filter("tags.t IS NULL AND params.p IS NOT NULL")).isEqualTo("tags.`t` IS NULL AND params.`p` IS NOT NULL");
        assertThat(filter("params.p = 5")).isEqualTo("params.`p` = '5'");
        assertThat(filter("metrics.m NOT IN (1, 2.5)")).isEqualTo("metrics.`m` NOT IN (1, 2.5)");
        assertThat(filter("params.p IN ('a',\"b\")")).isEqualTo("params.`p` IN ('a', 'b')");
    }

    @Test
    void whatLabbookCannotAnswerIsRefusedByName() {
        assertThatThrownBy(() -> filter("attributes.artifact_uri = 'x'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("attributes.artifact_uri");
        assertThatThrownBy(() -> filter("datasets.name = 'd'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("datasets.name");
        assertThatThrownBy(() -> filter("metrics.m > 'high'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("metrics.m");
        assertThatThrownBy(() -> filter("params.p > '1'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("params.p").hasMessageContaining("'>'");
        assertThatThrownBy(() -> filter("foo.bar = 'x'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("foo");
        assertThatThrownBy(() -> filter("params.p = 'unterminated")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("unterminated");
        assertThatThrownBy(() -> filter("metrics.m > abc")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("abc");
        assertThatThrownBy(() -> filter("metrics.m")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("operator");
        assertThat(assertThrows(() -> filter("params.p = 'a' AND metrics.m > x")).code())
                .isEqualTo(MlflowErrorCode.INVALID_PARAMETER_VALUE);
    }

    @Test
    void runIdsBecomeLabbooksIdFieldAndNonIdsMatchNothing() {
        String id = "01A24EBA-F332-761D-99D5-75F3181D6916";
        String nil = "'00000000-0000-0000-0000-000000000000'";
        assertThat(filter("attributes.run_id = '" + id + "'")).isEqualTo("id IN ('" + id.toLowerCase() + "', " + nil + ")");
        assertThat(filter("run_uuid IN ('" + id + "', '0123456789abcdef0123456789abcdef') AND metrics.m > 1"))
                .isEqualTo("id IN ('" + id.toLowerCase() + "', " + nil + ") AND metrics.`m` > 1");
        assertThat(filter("attributes.run_id = 'x'' OR 1=1'")).isEqualTo("id IN (" + nil + ")");
        assertThat(filter("run_id != 'nope'")).isEqualTo("id NOT IN (" + nil + ")");
        assertThat(filter("run_id NOT IN ('" + id + "')")).isEqualTo("id NOT IN ('" + id.toLowerCase() + "', " + nil + ")");
        assertThatThrownBy(() -> filter("run_id LIKE 'a%'")).isInstanceOf(MlflowException.class)
                .hasMessageContaining("attributes.run_id");
    }

    private static MlflowException assertThrows(Runnable r) {
        try {
            r.run();
        } catch (MlflowException e) {
            return e;
        }
        throw new AssertionError("no exception");
    }

    @Test
    void orderByTranslates() {
        assertThat(MlflowSearchTranslator.runOrder(List.of("metrics.acc DESC", "attributes.start_time", "params.`a b` asc",
                "run_name", "tags.t DESC"))).containsExactly("metrics.`acc` DESC", "start_time", "params.`a b` ASC",
                "name", "tags.`t` DESC");
        assertThatThrownBy(() -> MlflowSearchTranslator.runOrder(List.of("metrics.acc SIDEWAYS")))
                .isInstanceOf(MlflowException.class).hasMessageContaining("ASC or DESC");
        assertThatThrownBy(() -> MlflowSearchTranslator.runOrder(List.of("metrics.acc DESC, 1")))
                .isInstanceOf(MlflowException.class);
        assertThatThrownBy(() -> MlflowSearchTranslator.runOrder(List.of("attributes.run_id")))
                .isInstanceOf(MlflowException.class).hasMessageContaining("attributes.run_id");
    }

    @Test
    void experimentFiltersMatchNameAndTags() {
        var filter = MlflowSearchTranslator.experimentFilter("name LIKE 'rec%' AND tags.k != 'x'");
        assertThat(MlflowSearchTranslator.experimentMatches(filter, "rec3", Map.of("k", "v"))).isTrue();
        assertThat(MlflowSearchTranslator.experimentMatches(filter, "rec3", Map.of("k", "x"))).isFalse();
        assertThat(MlflowSearchTranslator.experimentMatches(filter, "rec3", Map.of())).isFalse();
        assertThat(MlflowSearchTranslator.experimentMatches(filter, "Rec", Map.of("k", "v"))).isFalse();
        var ilike = MlflowSearchTranslator.experimentFilter("attributes.name ILIKE 'R_C.%'");
        assertThat(MlflowSearchTranslator.experimentMatches(ilike, "rec.1", Map.of())).isTrue();
        assertThat(MlflowSearchTranslator.experimentMatches(ilike, "recx1", Map.of())).isFalse();
        assertThatThrownBy(() -> MlflowSearchTranslator.experimentFilter("creation_time > 5"))
                .isInstanceOf(MlflowException.class).hasMessageContaining("creation_time");
    }
}
