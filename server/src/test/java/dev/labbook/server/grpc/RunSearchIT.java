package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.MetricSummary;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.RunView;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.SearchFixtures;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabbookServerExtension.class)
class RunSearchIT {

    private static SearchRunsRequest.Builder in(String... experimentIds) {
        return SearchRunsRequest.newBuilder().addAllExperimentIds(List.of(experimentIds));
    }

    private static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put((String) keyValues[i], keyValues[i + 1]);
        }
        return params;
    }

    @Test
    void issueExampleMatchesOnlyTheRunSatisfyingEveryPredicate(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("resnet");
        String[][] runs = {
            // name, lr, val/acc, team, finish?
            {"good", "0.001", "0.95", "vision", "y"},
            {"high-lr", "0.1", "0.96", "vision", "y"},
            {"low-acc", "0.001", "0.5", "vision", "y"},
            {"other-team", "0.001", "0.95", "nlp", "y"},
            {"still-running", "0.001", "0.95", "vision", "n"},
        };
        for (String[] r : runs) {
            String id = f.run(exp, r[0], params("lr", Double.parseDouble(r[1])), Map.of("team", r[3]));
            f.metrics(id, Map.of("val/acc", new double[] {0.1, Double.parseDouble(r[2])}));
            if (r[4].equals("y")) {
                f.finish(id, RunStatus.RUN_STATUS_COMPLETED);
            }
        }
        assertThat(f.names(in(exp).setFilter("params.lr < 0.01 AND metrics.`val/acc` >= 0.9 AND tags.team = "
                + "'vision' AND status = 'COMPLETED'").build())).containsExactly("good");
    }

    @Test
    void numbersCompareNumericParamsOnlyAndStringsCompareTheTextOfAnyParam(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("types");
        f.run(exp, "int-5", params("x", 5), Map.of());
        f.run(exp, "double-5.5", params("x", 5.5), Map.of());
        f.run(exp, "string-10", params("x", "10"), Map.of());
        f.run(exp, "string-abc", params("x", "abc"), Map.of());
        f.run(exp, "bool-true", params("x", true), Map.of());
        f.run(exp, "missing", params("y", 1), Map.of());
        SearchRunsRequest.Builder base = in(exp).addOrderBy("name");

        assertThat(f.names(base.setFilter("params.x > 4").build())).containsExactly("double-5.5", "int-5");
        assertThat(f.names(base.setFilter("params.x != 5").build())).containsExactly("double-5.5");
        assertThat(f.names(base.setFilter("params.x IN (5, 10)").build())).containsExactly("int-5");
        assertThat(f.names(base.setFilter("params.x NOT IN (5)").build())).containsExactly("double-5.5");
        assertThat(f.names(base.setFilter("params.x = '10'").build())).containsExactly("string-10");
        assertThat(f.names(base.setFilter("params.x = '5'").build())).as("canonical text of an int")
                .containsExactly("int-5");
        assertThat(f.names(base.setFilter("params.x LIKE '5%'").build())).containsExactly("double-5.5", "int-5");
        assertThat(f.names(base.setFilter("params.x = TRUE").build())).containsExactly("bool-true");
        assertThat(f.names(base.setFilter("params.x != FALSE").build())).containsExactly("bool-true");
        assertThat(f.names(base.setFilter("params.x IN ('abc', 'true')").build()))
                .containsExactly("bool-true", "string-abc");
        // Two-valued: NOT negates the whole predicate, so runs without the key match it.
        assertThat(f.names(base.setFilter("NOT params.x = 5").build()))
                .containsExactly("bool-true", "double-5.5", "missing", "string-10", "string-abc");
    }

    @Test
    void isNullMeansMissingAndNaNMetricsCountAsMissing(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("nulls");
        String a = f.run(exp, "a", params("lr", 0.1), Map.of("team", "x"));
        f.metrics(a, Map.of("loss", new double[] {1, 0.5}));
        f.finish(a, RunStatus.RUN_STATUS_COMPLETED);
        String b = f.run(exp, "b", params(), Map.of());
        f.metrics(b, Map.of("loss", new double[] {0.4, Double.NaN}));
        f.run(exp, "c", params(), Map.of());
        SearchRunsRequest.Builder base = in(exp).addOrderBy("name");

        assertThat(f.names(base.setFilter("params.lr IS NULL").build())).containsExactly("b", "c");
        assertThat(f.names(base.setFilter("params.lr IS NOT NULL").build())).containsExactly("a");
        assertThat(f.names(base.setFilter("tags.team IS NULL").build())).containsExactly("b", "c");
        assertThat(f.names(base.setFilter("metrics.loss IS NULL").build())).containsExactly("b", "c");
        assertThat(f.names(base.setFilter("metrics.loss.min IS NOT NULL").build())).containsExactly("a", "b");
        assertThat(f.names(base.setFilter("metrics.loss.min < 0.45").build())).containsExactly("b");
        assertThat(f.names(base.setFilter("metrics.loss.max >= 1").build())).containsExactly("a");
        assertThat(f.names(base.setFilter("metrics.loss != 0.5").build())).as("NaN satisfies no comparison")
                .isEmpty();
        assertThat(f.names(base.setFilter("end_time IS NULL").build())).containsExactly("b", "c");
        assertThat(f.names(base.setFilter("NOT end_time > 0").build())).containsExactly("b", "c");
    }

    @Test
    void ordersByMetricWithMissingAndNaNValuesLastInBothDirections(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("order");
        f.metrics(f.run(exp, "mid", params(), Map.of()), Map.of("acc", new double[] {0.5}));
        f.metrics(f.run(exp, "top", params(), Map.of()), Map.of("acc", new double[] {0.9}));
        f.run(exp, "none", params(), Map.of());
        f.metrics(f.run(exp, "nan", params(), Map.of()), Map.of("acc", new double[] {Double.NaN}));
        f.metrics(f.run(exp, "low", params(), Map.of()), Map.of("acc", new double[] {0.1}));

        List<String> desc = f.names(in(exp).addOrderBy("metrics.acc DESC").build());
        assertThat(desc.subList(0, 3)).containsExactly("top", "mid", "low");
        assertThat(desc.subList(3, 5)).containsExactlyInAnyOrder("none", "nan");
        List<String> asc = f.names(in(exp).addOrderBy("metrics.acc ASC NULLS LAST").build());
        assertThat(asc.subList(0, 3)).containsExactly("low", "mid", "top");
        // Ties (both missing) are broken by id, newest first: "nan" was created after "none".
        assertThat(asc.subList(3, 5)).containsExactly("nan", "none");
    }

    @Test
    void ordersByParamsNumbersFirstThenTextThenMissing(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("param-order");
        f.run(exp, "ten", params("p", 10), Map.of());
        f.run(exp, "two", params("p", 2.0), Map.of());
        f.run(exp, "b", params("p", "b"), Map.of());
        f.run(exp, "a", params("p", "a"), Map.of());
        f.run(exp, "none", params(), Map.of());
        assertThat(f.names(in(exp).addOrderBy("params.p").build())).containsExactly("two", "ten", "a", "b", "none");
        assertThat(f.names(in(exp).addOrderBy("params.p DESC").build()))
                .containsExactly("ten", "two", "b", "a", "none");
    }

    @Test
    void severalOrderKeysApplyInTurn(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("multi");
        f.metrics(f.run(exp, "g1-low", params(), Map.of("group", "g1")), Map.of("acc", new double[] {0.2}));
        f.metrics(f.run(exp, "g2-high", params(), Map.of("group", "g2")), Map.of("acc", new double[] {0.9}));
        f.metrics(f.run(exp, "g1-high", params(), Map.of("group", "g1")), Map.of("acc", new double[] {0.8}));
        f.metrics(f.run(exp, "g2-low", params(), Map.of("group", "g2")), Map.of("acc", new double[] {0.1}));
        assertThat(f.names(in(exp).addOrderBy("tags.group").addOrderBy("metrics.acc DESC").build()))
                .containsExactly("g1-high", "g1-low", "g2-high", "g2-low");
        assertThat(f.names(in(exp).addOrderBy("tags.group DESC").addOrderBy("metrics.acc").build()))
                .containsExactly("g2-low", "g2-high", "g1-low", "g1-high");
    }

    @Test
    void pagesFollowOneStableOrderWithTiesBrokenById(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("paging");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String name = "r" + i;
            created.add(name);
            // Only three distinct values: most neighbours tie and the id decides.
            f.metrics(f.run(exp, name, params("i", i), Map.of()), Map.of("acc", new double[] {i % 3}));
        }
        SearchRunsRequest.Builder request = in(exp).addOrderBy("metrics.acc DESC");
        List<String> onePage = f.names(request.setPageSize(1000).build());
        List<String> paged = f.allNames(request.setPageSize(4).build());
        assertThat(paged).hasSize(23).doesNotHaveDuplicates().isEqualTo(onePage);
        List<String> expected = new ArrayList<>();
        for (int value = 2; value >= 0; value--) {
            for (int i = 22; i >= 0; i--) {
                if (i % 3 == value) {
                    expected.add("r" + i);
                }
            }
        }
        assertThat(paged).isEqualTo(expected);
        // A run created while paging sorts ahead of the cursor and never shifts later pages.
        SearchRunsResponse first = f.search(request.setPageSize(4).build());
        f.metrics(f.run(exp, "late", params(), Map.of()), Map.of("acc", new double[] {5}));
        List<String> rest = f.allNames(request.setPageToken(first.getNextPageToken()).build());
        assertThat(rest).isEqualTo(expected.subList(4, expected.size()));
    }

    @Test
    void defaultOrderIsNewestFirstAndPagesWithoutAnOrder(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("default-order");
        for (int i = 0; i < 5; i++) {
            f.run(exp, "r" + i, params(), Map.of());
        }
        assertThat(f.allNames(in(exp).setPageSize(2).build())).containsExactly("r4", "r3", "r2", "r1", "r0");
    }

    @Test
    void alteredOrForeignPageTokensAreInvalidArguments(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("tokens");
        for (int i = 0; i < 3; i++) {
            f.run(exp, "r" + i, params("lr", 0.1 * i), Map.of());
        }
        SearchRunsRequest request = in(exp).setFilter("params.lr >= 0").addOrderBy("params.lr").setPageSize(1).build();
        String token = f.search(request).getNextPageToken();
        assertThat(token).isNotEmpty();

        char[] chars = token.toCharArray();
        chars[chars.length / 2] = chars[chars.length / 2] == 'A' ? 'B' : 'A';
        String tampered = new String(chars);
        assertInvalidField("page_token", () -> f.search(request.toBuilder().setPageToken(tampered).build()));
        assertInvalidField("page_token", () -> f.search(request.toBuilder().setPageToken("garbage!").build()));
        var reused = assertInvalidField("page_token", () -> f.search(request.toBuilder()
                .setFilter("params.lr >= 0.1").setPageToken(token).build()));
        assertThat(reused.getStatus().getDescription()).contains("another filter");
        assertInvalidField("page_token", () -> f.search(request.toBuilder().clearOrderBy().addOrderBy("params.lr DESC")
                .setPageToken(token).build()));
        assertInvalidField("page_token", () -> f.search(request.toBuilder().setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_ALL)
                .setPageToken(token).build()));
        // Whitespace and keyword case are not part of a search's identity.
        assertThat(f.search(request.toBuilder().setFilter("params.lr>=0").setPageToken(token).build()).getRunsCount())
                .isEqualTo(1);
    }

    @Test
    void maxResultsCapsTheWholeSearchAndGivesTheBestRun(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("cap");
        for (int i = 0; i < 10; i++) {
            f.metrics(f.run(exp, "r" + i, params(), Map.of()), Map.of("val_acc", new double[] {i / 10.0}));
        }
        SearchRunsRequest request = in(exp).addOrderBy("metrics.val_acc DESC").setPageSize(3).setMaxResults(5).build();
        SearchRunsResponse first = f.search(request);
        assertThat(first.getRunsList()).extracting(Run::getName).containsExactly("r9", "r8", "r7");
        SearchRunsResponse second = f.search(request.toBuilder().setPageToken(first.getNextPageToken()).build());
        assertThat(second.getRunsList()).extracting(Run::getName).containsExactly("r6", "r5");
        assertThat(second.getNextPageToken()).isEmpty();
        assertInvalidField("page_token", () -> f.search(request.toBuilder().setMaxResults(6)
                .setPageToken(first.getNextPageToken()).build()));

        SearchRunsResponse best = f.search(in(exp).addOrderBy("metrics.val_acc DESC").setMaxResults(1).build());
        assertThat(best.getRunsList()).extracting(Run::getName).containsExactly("r9");
        assertThat(best.getNextPageToken()).isEmpty();
        assertThat(best.getRuns(0).getMetricsList()).extracting(MetricSummary::getLastValue).containsExactly(0.9);

        assertInvalidField("max_results", () -> f.search(in(exp).setMaxResults(-1).build()));
        assertInvalidField("page_size", () -> f.search(in(exp).setPageSize(1001).build()));
    }

    @Test
    void searchesSeveralExperimentsOrAWholeProject(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String a = f.experiment("vision", "a");
        String b = f.experiment("vision", "b");
        String gone = f.experiment("vision", "gone");
        String other = f.experiment("nlp", "a");
        f.run(a, "in-a", params("lr", 0.1), Map.of());
        f.run(b, "in-b", params("lr", 0.1), Map.of());
        f.run(gone, "in-gone", params("lr", 0.1), Map.of());
        f.run(other, "other-project", params("lr", 0.1), Map.of());
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(gone).build());

        assertThat(f.names(in(a, b).addOrderBy("name").build())).containsExactly("in-a", "in-b");
        assertThat(f.names(SearchRunsRequest.newBuilder().setProject("vision").addOrderBy("name").build()))
                .containsExactly("in-a", "in-b");
        assertThat(f.names(SearchRunsRequest.newBuilder().setProject("vision").addOrderBy("name")
                .setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_ALL).build())).containsExactly("in-a", "in-b", "in-gone");
        assertThat(f.names(SearchRunsRequest.newBuilder().setProject("vision").setFilter("experiment = 'B'").build()))
                .containsExactly("in-b");
        assertThat(f.names(SearchRunsRequest.newBuilder().setProject("vision")
                .setFilter("experiment IN ('" + a + "')").build())).containsExactly("in-a");
        assertThat(f.names(SearchRunsRequest.newBuilder().setProject("vision").addOrderBy("name")
                .setFilter("experiment != 'a'").build())).containsExactly("in-b");
        assertThat(f.names(SearchRunsRequest.newBuilder().setProject("nlp").build())).containsExactly("other-project");
        assertThat(f.names(SearchRunsRequest.newBuilder().build())).as("the default project is empty").isEmpty();

        assertStatus(Code.NOT_FOUND, () -> f.search(in(a, UUID.randomUUID().toString()).build()));
        assertInvalidField("experiment_ids[1]", () -> f.search(in(a, "nope").build()));
        assertInvalidField("project", () -> f.search(SearchRunsRequest.newBuilder().setProject("bad project").build()));
    }

    @Test
    void deletedRunsAreExcludedUnlessTheLifecycleAsksForThem(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("lifecycle");
        f.run(exp, "kept", params(), Map.of());
        String deleted = f.run(exp, "deleted", params(), Map.of());
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(deleted).build());

        assertThat(f.names(in(exp).build())).containsExactly("kept");
        assertThat(f.names(in(exp).setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_DELETED).build()))
                .containsExactly("deleted");
        assertThat(f.names(in(exp).setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_ALL).addOrderBy("name").build()))
                .containsExactly("deleted", "kept");
    }

    @Test
    void filtersOnRunAttributes(TestServer server) throws Exception {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("attrs");
        String done = f.run(exp, "Baseline-1", params(), Map.of());
        f.finish(done, RunStatus.RUN_STATUS_COMPLETED);
        Thread.sleep(5);  // distinct end times
        String failed = f.run(exp, "baseline-2", params(), Map.of());
        Run failedRun = f.finish(failed, RunStatus.RUN_STATUS_FAILED);
        f.run(exp, "sweep-1", params(), Map.of());
        SearchRunsRequest.Builder base = in(exp).addOrderBy("name");

        assertThat(f.names(base.setFilter("name = 'BASELINE-1'").build())).containsExactly("Baseline-1");
        assertThat(f.names(base.setFilter("name LIKE 'baseline%'").build())).containsExactly("baseline-2");
        assertThat(f.names(base.setFilter("name ILIKE 'baseline%'").build())).containsExactly("Baseline-1", "baseline-2");
        assertThat(f.names(base.setFilter("name NOT ILIKE 'baseline%'").build())).containsExactly("sweep-1");
        assertThat(f.names(base.setFilter("status IN ('completed', 'FAILED')").build()))
                .containsExactly("Baseline-1", "baseline-2");
        assertThat(f.names(base.setFilter("status != 'RUNNING' AND NOT status = 'FAILED'").build()))
                .containsExactly("Baseline-1");
        assertThat(f.names(base.setFilter("end_time >= " + failedRun.getEndTimeMs()).build()))
                .containsExactly("baseline-2");
        assertThat(f.names(base.setFilter("start_time > '2000-01-01' AND start_time < '2999-01-01T00:00:00Z'")
                .build())).hasSize(3);
        assertThat(f.names(base.setFilter("experiment ILIKE 'ATT%'").build())).hasSize(3);
        assertThat(f.names(in(exp).addOrderBy("status").addOrderBy("name DESC").build()))
                .containsExactly("Baseline-1", "baseline-2", "sweep-1");
    }

    @Test
    void filtersOnRunIdsAndTheirPrefixesAndSuffixes(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("ids");
        String a = f.run(exp, "a", params(), Map.of());
        String b = f.run(exp, "b", params(), Map.of());
        SearchRunsRequest.Builder base = in(exp).addOrderBy("name");

        assertThat(f.names(base.setFilter("id = '" + a + "'").build())).containsExactly("a");
        assertThat(f.names(base.setFilter("id = '" + a.toUpperCase(java.util.Locale.ROOT) + "'").build()))
                .containsExactly("a");
        assertThat(f.names(base.setFilter("id != '" + a + "'").build())).containsExactly("b");
        assertThat(f.names(base.setFilter("id IN ('" + a + "', '" + b + "')").build())).containsExactly("a", "b");
        assertThat(f.names(base.setFilter("id NOT IN ('" + a + "')").build())).containsExactly("b");
        // Prefixes and suffixes of the lowercase text form; UUIDv7 ids of one second share a prefix.
        assertThat(f.names(base.setFilter("id LIKE '" + a.substring(0, 6) + "%'").build())).containsExactly("a", "b");
        assertThat(f.names(base.setFilter("id LIKE '%" + a.substring(28) + "'").build())).containsExactly("a");
        assertThat(f.names(base.setFilter("id ILIKE '%" + b.substring(28).toUpperCase(java.util.Locale.ROOT) + "'")
                .build())).containsExactly("b");
        assertThat(f.names(base.setFilter("id NOT LIKE '%" + b.substring(28) + "'").build())).containsExactly("a");
        assertThat(f.names(base.setFilter("id LIKE '" + a + "'").build())).containsExactly("a");

        assertInvalidField("filter", () -> f.search(in(exp).setFilter("id = '" + a.substring(0, 8)
                + "'").build()));
        assertInvalidField("filter", () -> f.search(in(exp).setFilter("id < '" + a + "'").build()));
        assertInvalidField("order_by[0]", () -> f.search(in(exp).addOrderBy("id").build()));
    }

    @Test
    void findsQueuedRunsWhichHaveNoStartTime(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("queue");
        f.run(exp, "running", params(), Map.of());
        String waiting = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).setName("waiting")
                .setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build()).getRun().getId();
        String canceled = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp)
                .setName("canceled").setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build()).getRun().getId();
        f.finish(canceled, RunStatus.RUN_STATUS_CANCELED);

        assertThat(f.names(in(exp).setFilter("status = 'QUEUED'").build())).containsExactly("waiting");
        assertThat(f.names(in(exp).setFilter("status IN ('queued', 'RUNNING')").addOrderBy("name").build()))
                .containsExactly("running", "waiting");
        assertThat(f.names(in(exp).setFilter("start_time > 0").build())).containsExactly("running");
        // Runs that never started sort last by start time, in either direction, and page through.
        assertThat(f.allNames(in(exp).addOrderBy("start_time DESC").setPageSize(1).build()))
                .containsExactly("running", "canceled", "waiting");
        assertThat(f.allNames(in(exp).addOrderBy("start_time").setPageSize(1).build()))
                .containsExactly("running", "canceled", "waiting");
        assertThat(server.runs().searchRuns(in(exp).setFilter("name = 'waiting'").build()).getRuns(0).getId())
                .isEqualTo(waiting);
        var unknown = assertInvalidField("filter", () -> f.search(in(exp).setFilter("status = 'PENDING'").build()));
        assertThat(unknown.getStatus().getDescription()).contains("QUEUED");
    }

    @Test
    void syntaxErrorsAreInvalidArgumentsWithTheColumn(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("errors");
        var e = assertInvalidField("filter", () -> f.search(in(exp).setFilter("params.lr < 0.01 AND").build()));
        assertThat(e.getStatus().getDescription()).contains("column 21").contains("expected a field");
        var order = assertInvalidField("order_by[1]", () -> f.search(in(exp).addOrderBy("name")
                .addOrderBy("metrics.acc SIDEWAYS").build()));
        assertThat(order.getStatus().getDescription()).contains("column 13");
        assertInvalidField("filter", () -> f.search(in(exp).setFilter("metrics.acc > 'high'").build()));
    }

    @Test
    void returnsParamsTagsAndMetricSummariesOrTrimsThem(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("view");
        String id = f.run(exp, "r", params("lr", 0.1, "epochs", 3), Map.of("team", "vision"));
        f.metrics(id, Map.of("loss", new double[] {3, 1, 2}, "acc", new double[] {0.5}));

        Run full = f.search(in(exp).build()).getRuns(0);
        assertThat(full.getParamsList()).hasSize(2);
        assertThat(full.getTagsMap()).containsEntry("team", "vision");
        assertThat(full.getMetricsList()).extracting(MetricSummary::getKey).containsExactly("acc", "loss");
        MetricSummary loss = full.getMetrics(1);
        assertThat(List.of(loss.getLastValue(), loss.getMin(), loss.getMax(), (double) loss.getCount()))
                .containsExactly(2.0, 1.0, 3.0, 3.0);

        Run trimmed = f.search(in(exp).addParamKeys("lr").addMetricKeys("loss").build()).getRuns(0);
        assertThat(trimmed.getParamsList()).extracting(p -> p.getKey()).containsExactly("lr");
        assertThat(trimmed.getMetricsList()).extracting(MetricSummary::getKey).containsExactly("loss");

        Run basic = f.search(in(exp).setView(RunView.RUN_VIEW_BASIC).build()).getRuns(0);
        assertThat(basic.getName()).isEqualTo("r");
        assertThat(basic.getParamsList()).isEmpty();
        assertThat(basic.getTagsMap()).isEmpty();
        assertThat(basic.getMetricsList()).isEmpty();
    }

    @Test
    void keysWithSpacesDotsAndSlashesAreReachableThroughBackquotes(TestServer server) {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("keys");
        String id = f.run(exp, "r", params("optimizer.learning rate", 0.5), Map.of("data set", "imagenet"));
        f.metrics(id, Map.of("train/loss", new double[] {0.25}));
        f.run(exp, "other", params(), Map.of());
        assertThat(f.names(in(exp).setFilter("params.`optimizer.learning rate` = 0.5 AND tags.`data set` = "
                + "'imagenet' AND metrics.train/loss < 0.3").build())).containsExactly("r");
        assertThat(new HashSet<>(f.names(in(exp).setFilter("params.`optimizer.learning rate` IS NULL").build())))
                .containsExactly("other");
    }
}
