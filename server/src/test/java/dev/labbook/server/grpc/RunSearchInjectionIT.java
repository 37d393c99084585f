package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.SearchFixtures;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile filters and order keys: each one is either refused as INVALID_ARGUMENT or runs as an
 * ordinary search whose strings are literals, and afterwards the database holds exactly what it
 * held before (same tables, same row counts, the canary intact). No request may cause INTERNAL,
 * which would mean text reached PostgreSQL's parser.
 */
@ExtendWith(LabbookServerExtension.class)
class RunSearchInjectionIT {

    /** Payloads as values of string literals, keys, and whole filters. */
    private static final List<String> PAYLOADS = List.of(
            "'; DROP TABLE run; --",
            "' OR '1'='1",
            "' OR 1=1 --",
            "x'); DELETE FROM run_param; --",
            "'; TRUNCATE experiment CASCADE; SELECT '",
            "\\'; DROP TABLE run; --",
            "' UNION SELECT id, name FROM experiment --",
            "'; UPDATE run SET status = 'FAILED'; --",
            "/* comment */ ' OR ''='",
            "$$; DROP TABLE run; $$",
            "$tag$ x $tag$",
            "E'\\x27'; DROP TABLE run; --",
            "\u02BC OR 1=1 --",            // modifier letter apostrophe
            "\uFF07; DROP TABLE run; --",  // full-width apostrophe
            "\u2019 OR \u2018a\u2019=\u2018a", // curly quotes
            "\u037E DROP TABLE run",       // Greek question mark, looks like ';'
            "a\u200B'b",                   // zero-width space
            "%' OR '%'='",
            "_%\\",
            "`; DROP TABLE run; --`",
            "\"; DROP TABLE run; --",
            "1; SELECT pg_sleep(10)",
            "'||(SELECT pg_sleep(10))||'",
            "robert'); DROP TABLE students;--");

    private static final List<String> FILTERS = List.of(
            "params.lr = 1; DROP TABLE run",
            "params.lr = 1 -- AND 1 = 0",
            "params.lr = 1 /* */",
            "params.lr = 1 OR 1=1",
            "1 = 1",
            "params.lr = 1) OR (1=1",
            "params.`lr` = 1 OR params.`x' OR '1'='1` = 1",
            "params.`lr; DROP TABLE run; --` = 1",
            "tags.`team` = 'vision' UNION SELECT * FROM run",
            "status = 'COMPLETED' OR status = 'x' OR ''='",
            "name = 'a' || 'b'",
            "name = E'\\x27'",
            "name = $$x$$",
            "params.lr = 0x1F",
            "params.lr = 1e5; --",
            "params.lr IN (1); DROP TABLE run",
            "params.lr IN (SELECT 1)",
            "params.lr = (SELECT 1)",
            "params.lr = pg_sleep(10)",
            "params.lr < 1 AND pg_sleep(10) IS NULL",
            "run.id IS NOT NULL",
            "params.lr = 1 ; ",
            "params.lr = 1\u037E DROP TABLE run",
            "params.lr = \uFF07a\uFF07",
            "params.lr\uFF1D1",
            "params.lr = 1\u00A0OR 1=1",
            "name = 'x' \u2228 1 = 1",
            "name LIKE '%' ESCAPE ''",
            "name ILIKE '%'::text",
            "params.lr::text = '1'",
            "tags.team = 'vision'\n; DROP TABLE run",
            "NOT NOT NOT",
            "((((((((",
            "params.",
            "`",
            "'",
            "''",
            "params.lr IS NULL; COMMIT; DROP TABLE run");

    private static final List<String> ORDER_KEYS = List.of(
            "name; DROP TABLE run",
            "name DESC, (SELECT 1)",
            "params.`x; DROP TABLE run` DESC",
            "metrics.`') DESC; DROP TABLE run; --`",
            "1",
            "pg_sleep(10)",
            "name COLLATE \"C\"",
            "name DESC NULLS FIRST; --");

    @Test
    void hostileFiltersAndKeysNeverReachSqlAsCode(TestServer server) throws Exception {
        SearchFixtures f = new SearchFixtures(server);
        String exp = f.experiment("canary-experiment");
        String canary = f.run(exp, "canary", Map.of("lr", 0.1), Map.of("team", "vision"));
        // The payloads are also stored as tag values, so literal matches are checkable.
        List<String> payloadRuns = new ArrayList<>();
        for (int i = 0; i < PAYLOADS.size(); i++) {
            payloadRuns.add(f.run(exp, "payload-" + i, Map.of("text", PAYLOADS.get(i)), Map.of("note", PAYLOADS.get(i))));
        }
        Map<String, Long> before = rowCounts(server);

        int refused = 0;
        int ran = 0;
        for (String payload : PAYLOADS) {
            String quoted = "'" + payload.replace("'", "''") + "'";
            String backquoted = "`" + payload.replace("`", "``") + "`";
            // A properly quoted payload is a literal: it matches exactly the run storing it.
            for (String filter : List.of("tags.note = " + quoted, "params.text = " + quoted,
                    "tags.note IN (" + quoted + ", 'zzz')")) {
                assertThat(outcome(f, exp, filter, null)).as(filter)
                        .containsExactly("payload-" + PAYLOADS.indexOf(payload));
                ran++;
            }
            // As a LIKE pattern it is a pattern (a lone trailing escape is refused).
            if (outcome(f, exp, "params.text LIKE " + quoted, null) == null) {
                refused++;
            } else {
                ran++;
            }
            // As a key it names a param/tag that does not exist.
            assertThat(outcome(f, exp, "params." + backquoted + " = 1 OR tags." + backquoted + " = 'x'", null))
                    .as(backquoted).isEmpty();
            ran++;
            // Unquoted, it is a syntax error or an ordinary filter, never SQL.
            for (String filter : List.of("tags.note = " + payload, "name = '" + payload + "'", payload)) {
                if (outcome(f, exp, filter, null) == null) {
                    refused++;
                } else {
                    ran++;
                }
            }
        }
        for (String filter : FILTERS) {
            if (outcome(f, exp, filter, null) == null) {
                refused++;
            } else {
                ran++;
            }
        }
        for (String orderKey : ORDER_KEYS) {
            if (outcome(f, exp, "", orderKey) == null) {
                refused++;
            } else {
                ran++;
            }
        }

        assertThat(refused).as("hostile inputs refused").isGreaterThan(FILTERS.size());
        assertThat(ran).as("hostile literals searched").isGreaterThan(PAYLOADS.size() * 5);
        assertThat(rowCounts(server)).isEqualTo(before);
        List<String> all = f.names(SearchRunsRequest.newBuilder().addExperimentIds(exp).setPageSize(1000).build());
        assertThat(all).hasSize(PAYLOADS.size() + 1).contains("canary");
        assertThat(server.runs().getRun(dev.labbook.api.v1.GetRunRequest.newBuilder().setRunId(canary).build())
                .getRun().getStatus()).isEqualTo(dev.labbook.api.v1.RunStatus.RUN_STATUS_RUNNING);
        assertThat(payloadRuns).hasSize(PAYLOADS.size());
    }

    /** Run names on success, null when refused as INVALID_ARGUMENT; any other status fails the test. */
    private static List<String> outcome(SearchFixtures f, String exp, String filter, String orderKey) {
        SearchRunsRequest.Builder request = SearchRunsRequest.newBuilder().addExperimentIds(exp).setFilter(filter)
                .setPageSize(1000);
        if (orderKey != null) {
            request.addOrderBy(orderKey);
        }
        long start = System.nanoTime();
        try {
            return f.search(request.build()).getRunsList().stream().map(Run::getName).toList();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                fail("filter <" + filter + "> order <" + orderKey + "> gave " + e.getStatus());
            }
            return null;
        } finally {
            // pg_sleep(10) would show here had it ever been executed.
            assertThat(System.nanoTime() - start).as(filter).isLessThan(5_000_000_000L);
        }
    }

    private static Map<String, Long> rowCounts(TestServer server) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            // Not audit_event: calls that change anything are audited asynchronously, and the
            // fixtures' own creates may land there while the searches run.
            try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    + "AND tablename <> 'audit_event'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        assertThat(counts).containsKeys("run", "run_param", "run_tag", "experiment");
        return counts;
    }
}
