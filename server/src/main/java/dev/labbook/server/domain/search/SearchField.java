package dev.labbook.server.domain.search;

/** What a filter predicate or order key refers to. */
public sealed interface SearchField {

    /** {@code params.<key>}. */
    record Param(String key) implements SearchField {
    }

    /** {@code metrics.<key>[.last|.min|.max]}: a value of the series summary. */
    record Metric(String key, Aggregate aggregate) implements SearchField {
    }

    /** {@code tags.<key>}. */
    record Tag(String key) implements SearchField {
    }

    /** A column of the run itself. */
    record Attribute(Name name) implements SearchField {
    }

    enum Aggregate {
        LAST, MIN, MAX
    }

    enum Name {
        /** The run name; = != IN compare case-insensitively, like every name in Labbook. */
        NAME,
        /** QUEUED, RUNNING, COMPLETED, FAILED, CANCELED or CRASHED. */
        STATUS,
        /** Epoch ms, or an ISO-8601 string; NULL while the run never ran (QUEUED). */
        START_TIME,
        /** Epoch ms, or an ISO-8601 string; NULL while the run is RUNNING. */
        END_TIME,
        /** The experiment's name (case-insensitive) or id. */
        EXPERIMENT,
        /**
         * The run id, as its lowercase text form: = != IN with full ids, LIKE/ILIKE for id prefixes
         * and suffixes ({@code id LIKE '0193ab%'}). Not an order key (ties are ordered by id already).
         */
        ID
    }
}
