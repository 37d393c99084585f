package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.internal.generated.Tables.EXPERIMENT;
import static dev.labbook.server.store.postgres.internal.generated.Tables.METRIC_SERIES;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_PARAM;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_TAG;

import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.search.Filter;
import dev.labbook.server.domain.search.Filter.Operator;
import dev.labbook.server.domain.search.OrderKey;
import dev.labbook.server.domain.search.RunQuery;
import dev.labbook.server.domain.search.SearchCursor;
import dev.labbook.server.domain.search.SearchField;
import dev.labbook.server.store.postgres.internal.generated.tables.MetricSeries;
import dev.labbook.server.store.postgres.internal.generated.tables.RunParam;
import dev.labbook.server.store.postgres.internal.generated.tables.RunTag;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Select;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Compiles a parsed {@link RunQuery} to jOOQ: the WHERE condition (scope, lifecycle, filter,
 * keyset position), the LEFT JOINs and sort fields of the order. Every value from the request
 * is a bind value; keys and literals never become SQL text.
 *
 * <p>A predicate on a param, metric or tag is an EXISTS on its table correlated by run id, so it
 * is true only when the run has the key (two-valued logic: NOT negates the whole predicate).
 * NaN (in metric values and double params) never satisfies a numeric comparison, and as a sort
 * value it passes through NULLIF(x, NaN) to sort with the missing values, last.
 */
final class RunSearchQuery {
    private static final Field<Double> NAN = DSL.inline(Double.NaN);

    /** A sort column; {@code time} columns are timestamps, carried in cursors as epoch microseconds. */
    record SortColumn(Field<?> field, boolean descending, boolean time) {
        SortField<?> sortField() {
            return (descending ? field.desc() : field.asc()).nullsLast();
        }
    }

    private final RunQuery query;
    private final List<SortColumn> sort = new ArrayList<>();
    private Table<?> from = RUN;

    RunSearchQuery(RunQuery query) {
        this.query = query;
        for (int i = 0; i < query.order().size(); i++) {
            addOrderKey(query.order().get(i), "o" + i);
        }
    }

    Table<?> from() {
        return from;
    }

    List<SortColumn> sortColumns() {
        return sort;
    }

    List<SortField<?>> orderBy() {
        List<SortField<?>> fields = new ArrayList<>();
        sort.forEach(column -> fields.add(column.sortField()));
        fields.add(RUN.ID.desc());
        return fields;
    }

    Condition where(SearchCursor after) {
        Condition condition = scope().and(SqlSupport.lifecycle(RUN.DELETED_AT, query.lifecycle()));
        if (query.filter() != null) {
            condition = condition.and(compile(query.filter()));
        }
        if (after != null) {
            condition = condition.and(after(after));
        }
        return condition;
    }

    /** The cursor value of a fetched sort column. */
    static Object cursorValue(SortColumn column, Object value) {
        if (value instanceof OffsetDateTime time) {
            Instant instant = time.toInstant();
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
        }
        return value;
    }

    private Condition scope() {
        if (!query.experimentIds().isEmpty()) {
            return RUN.EXPERIMENT_ID.in(query.experimentIds());
        }
        Condition experiments = EXPERIMENT.PROJECT.eq(query.project());
        if (query.lifecycle() == dev.labbook.server.domain.Lifecycle.ACTIVE) {
            // Runs of a deleted experiment are hidden from a project-wide search, as the experiment is.
            experiments = experiments.and(EXPERIMENT.DELETED_AT.isNull());
        }
        return RUN.EXPERIMENT_ID.in(DSL.select(EXPERIMENT.ID).from(EXPERIMENT).where(experiments));
    }

    // ---- keyset paging ----

    /**
     * Rows strictly after the cursor in (k1, k2, ..., id DESC) order with NULLS LAST:
     * after(k1) OR (k1 = v1 AND (after(k2) OR (k2 = v2 AND ... id < lastId))).
     */
    private Condition after(SearchCursor cursor) {
        if (cursor.sortValues().size() != sort.size()) {
            throw new IllegalStateException("cursor of " + cursor.sortValues().size() + " values for "
                    + sort.size() + " sort columns");
        }
        Condition condition = RUN.ID.lt(cursor.lastId());
        for (int i = sort.size() - 1; i >= 0; i--) {
            SortColumn column = sort.get(i);
            Object value = cursor.sortValues().get(i);
            condition = value == null
                    ? columnIsNull(column).and(condition)
                    : strictlyAfter(column, bindable(column, value)).or(equalTo(column, bindable(column, value))
                            .and(condition));
        }
        return condition;
    }

    private static Object bindable(SortColumn column, Object value) {
        if (column.time()) {
            long micros = (Long) value;
            return OffsetDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1000), ZoneOffset.UTC);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Condition strictlyAfter(SortColumn column, Object value) {
        Field<Object> field = (Field<Object>) column.field();
        Condition beyond = column.descending() ? field.lt(value) : field.gt(value);
        return beyond.or(field.isNull());
    }

    @SuppressWarnings("unchecked")
    private static Condition equalTo(SortColumn column, Object value) {
        return ((Field<Object>) column.field()).eq(value);
    }

    private static Condition columnIsNull(SortColumn column) {
        return column.field().isNull();
    }

    // ---- order ----

    private void addOrderKey(OrderKey key, String alias) {
        boolean desc = key.descending();
        SearchField field = key.field();
        if (field instanceof SearchField.Param p) {
            RunParam t = RUN_PARAM.as(alias);
            from = from.leftJoin(t).on(t.RUN_ID.eq(RUN.ID).and(t.PARAM_KEY.eq(p.key())));
            // Numbers first (numerically), then the other params by text, then runs without the key.
            sort.add(new SortColumn(number(t.VALUE_NUM), desc, false));
            sort.add(new SortColumn(t.VALUE_TEXT, desc, false));
        } else if (field instanceof SearchField.Metric m) {
            MetricSeries t = METRIC_SERIES.as(alias);
            from = from.leftJoin(t).on(t.RUN_ID.eq(RUN.ID).and(t.METRIC_KEY.eq(m.key())));
            sort.add(new SortColumn(number(metricColumn(t, m.aggregate())), desc, false));
        } else if (field instanceof SearchField.Tag tag) {
            RunTag t = RUN_TAG.as(alias);
            from = from.leftJoin(t).on(t.RUN_ID.eq(RUN.ID).and(t.TAG_KEY.eq(tag.key())));
            sort.add(new SortColumn(t.TAG_VALUE, desc, false));
        } else {
            switch (((SearchField.Attribute) field).name()) {
                case NAME -> sort.add(new SortColumn(RUN.NAME_KEY, desc, false));
                case STATUS -> sort.add(new SortColumn(RUN.STATUS, desc, false));
                case START_TIME -> sort.add(new SortColumn(RUN.START_TIME, desc, true));
                case END_TIME -> sort.add(new SortColumn(RUN.END_TIME, desc, true));
                case EXPERIMENT -> sort.add(new SortColumn(DSL.field(DSL.select(EXPERIMENT.NAME_KEY).from(EXPERIMENT)
                        .where(EXPERIMENT.ID.eq(RUN.EXPERIMENT_ID))), desc, false));
                // The parser refuses id as an order key: ties are ordered by id already.
                case ID -> throw new IllegalStateException("order by id");
            }
        }
    }

    // ---- filter ----

    private Condition compile(Filter filter) {
        if (filter instanceof Filter.And and) {
            return DSL.and(and.terms().stream().map(this::compile).toList());
        }
        if (filter instanceof Filter.Or or) {
            return DSL.or(or.terms().stream().map(this::compile).toList());
        }
        if (filter instanceof Filter.Not not) {
            return DSL.not(compile(not.term()));
        }
        if (filter instanceof Filter.Comparison c) {
            return comparison(c);
        }
        if (filter instanceof Filter.In in) {
            return in(in);
        }
        if (filter instanceof Filter.Like like) {
            return like(like);
        }
        Filter.IsNull isNull = (Filter.IsNull) filter;
        return isNull(isNull.field(), isNull.negated());
    }

    private Condition comparison(Filter.Comparison c) {
        SearchField field = c.field();
        Operator op = c.op();
        if (field instanceof SearchField.Param p) {
            // A number compares numeric params only; a string compares the text of any param.
            if (c.value() instanceof Filter.Number n) {
                return param(p.key(), numeric(RUN_PARAM.VALUE_NUM, op, n.value()));
            }
            if (c.value() instanceof Filter.Bool b) {
                return param(p.key(), RUN_PARAM.VALUE_TYPE.eq("bool")
                        .and(compare(RUN_PARAM.VALUE_TEXT, op, Boolean.toString(b.value()))));
            }
            return param(p.key(), compare(RUN_PARAM.VALUE_TEXT, op, ((Filter.Text) c.value()).value()));
        }
        if (field instanceof SearchField.Metric m) {
            return metric(m, numeric(metricColumn(METRIC_SERIES, m.aggregate()), op,
                    ((Filter.Number) c.value()).value()));
        }
        if (field instanceof SearchField.Tag tag) {
            return tag(tag.key(), compare(RUN_TAG.TAG_VALUE, op, ((Filter.Text) c.value()).value()));
        }
        return switch (((SearchField.Attribute) field).name()) {
            case NAME -> {
                String name = ((Filter.Text) c.value()).value();
                // Equality follows Labbook's case-insensitive names; ranges compare the stored name.
                yield op == Operator.EQ || op == Operator.NE
                        ? compare(RUN.NAME_KEY, op, Limits.nameKey(name))
                        : compare(RUN.NAME, op, name);
            }
            case STATUS -> compare(RUN.STATUS, op, ((Filter.Text) c.value()).value());
            case START_TIME -> compare(RUN.START_TIME, op, time(c.value()));
            // end_time is NULL while running: such runs satisfy no comparison, and NOT flips it.
            case END_TIME -> RUN.END_TIME.isNotNull().and(compare(RUN.END_TIME, op, time(c.value())));
            case EXPERIMENT -> {
                Condition named = experimentMatches(List.of(((Filter.Text) c.value()).value()));
                yield op == Operator.EQ ? RUN.EXPERIMENT_ID.in(experimentIds(named))
                        : RUN.EXPERIMENT_ID.notIn(experimentIds(named));
            }
            case ID -> {
                UUID id = UUID.fromString(((Filter.Text) c.value()).value());
                yield op == Operator.EQ ? RUN.ID.eq(id) : RUN.ID.ne(id);
            }
        };
    }

    private Condition in(Filter.In in) {
        SearchField field = in.field();
        List<Filter.Literal> values = in.values();
        boolean negated = in.negated();
        if (field instanceof SearchField.Param p) {
            Filter.Literal first = values.get(0);
            if (first instanceof Filter.Number) {
                return param(p.key(), numericMember(RUN_PARAM.VALUE_NUM, numbers(values), negated));
            }
            if (first instanceof Filter.Bool) {
                return param(p.key(), RUN_PARAM.VALUE_TYPE.eq("bool").and(member(RUN_PARAM.VALUE_TEXT,
                        values.stream().map(v -> Boolean.toString(((Filter.Bool) v).value())).toList(), negated)));
            }
            return param(p.key(), member(RUN_PARAM.VALUE_TEXT, texts(values), negated));
        }
        if (field instanceof SearchField.Metric m) {
            return metric(m, numericMember(metricColumn(METRIC_SERIES, m.aggregate()), numbers(values), negated));
        }
        if (field instanceof SearchField.Tag tag) {
            return tag(tag.key(), member(RUN_TAG.TAG_VALUE, texts(values), negated));
        }
        return switch (((SearchField.Attribute) field).name()) {
            case NAME -> member(RUN.NAME_KEY, texts(values).stream().map(Limits::nameKey).toList(), negated);
            case STATUS -> member(RUN.STATUS, texts(values), negated);
            case START_TIME -> member(RUN.START_TIME, values.stream().map(this::time).toList(), negated);
            case END_TIME -> RUN.END_TIME.isNotNull()
                    .and(member(RUN.END_TIME, values.stream().map(this::time).toList(), negated));
            case EXPERIMENT -> {
                Condition named = experimentMatches(texts(values));
                yield negated ? RUN.EXPERIMENT_ID.notIn(experimentIds(named))
                        : RUN.EXPERIMENT_ID.in(experimentIds(named));
            }
            case ID -> {
                List<UUID> ids = texts(values).stream().map(UUID::fromString).toList();
                yield negated ? RUN.ID.notIn(ids) : RUN.ID.in(ids);
            }
        };
    }

    private Condition like(Filter.Like like) {
        SearchField field = like.field();
        if (field instanceof SearchField.Param p) {
            return param(p.key(), like(RUN_PARAM.VALUE_TEXT, like));
        }
        if (field instanceof SearchField.Tag tag) {
            return tag(tag.key(), like(RUN_TAG.TAG_VALUE, like));
        }
        SearchField.Name name = ((SearchField.Attribute) field).name();
        if (name == SearchField.Name.NAME) {
            return like(RUN.NAME, like);
        }
        if (name == SearchField.Name.ID) {
            // The id's canonical text: lowercase hex with dashes, as every API returns it.
            return like(RUN.ID.cast(SQLDataType.VARCHAR(36)), like);
        }
        if (name == SearchField.Name.EXPERIMENT) {
            Condition named = like.caseInsensitive() ? EXPERIMENT.NAME.likeIgnoreCase(like.pattern())
                    : EXPERIMENT.NAME.like(like.pattern());
            return like.negated() ? RUN.EXPERIMENT_ID.notIn(experimentIds(named))
                    : RUN.EXPERIMENT_ID.in(experimentIds(named));
        }
        // The parser only lets LIKE through for the fields above.
        throw new IllegalStateException("LIKE on " + field);
    }

    private static Condition like(Field<String> field, Filter.Like like) {
        if (like.caseInsensitive()) {
            return like.negated() ? field.notLikeIgnoreCase(like.pattern()) : field.likeIgnoreCase(like.pattern());
        }
        return like.negated() ? field.notLike(like.pattern()) : field.like(like.pattern());
    }

    /** IS NULL: the run has no value (no such key; for metrics also an all-NaN or NaN value). */
    private Condition isNull(SearchField field, boolean negated) {
        Condition present;
        if (field instanceof SearchField.Param p) {
            present = param(p.key(), DSL.noCondition());
        } else if (field instanceof SearchField.Metric m) {
            Field<Double> value = metricColumn(METRIC_SERIES, m.aggregate());
            present = metric(m, value.isNotNull().and(value.ne(NAN)));
        } else if (field instanceof SearchField.Tag tag) {
            present = tag(tag.key(), DSL.noCondition());
        } else if (((SearchField.Attribute) field).name() == SearchField.Name.END_TIME) {
            present = RUN.END_TIME.isNotNull();
        } else {
            present = DSL.trueCondition();
        }
        return negated ? present : DSL.not(present);
    }

    private static Condition param(String key, Condition value) {
        return DSL.exists(DSL.selectOne().from(RUN_PARAM)
                .where(RUN_PARAM.RUN_ID.eq(RUN.ID).and(RUN_PARAM.PARAM_KEY.eq(key)).and(value)));
    }

    private static Condition metric(SearchField.Metric metric, Condition value) {
        return DSL.exists(DSL.selectOne().from(METRIC_SERIES)
                .where(METRIC_SERIES.RUN_ID.eq(RUN.ID).and(METRIC_SERIES.METRIC_KEY.eq(metric.key())).and(value)));
    }

    private static Condition tag(String key, Condition value) {
        return DSL.exists(DSL.selectOne().from(RUN_TAG)
                .where(RUN_TAG.RUN_ID.eq(RUN.ID).and(RUN_TAG.TAG_KEY.eq(key)).and(value)));
    }

    /** Experiments by name (case-insensitively, as Labbook matches names) or, for a UUID, by id. */
    private static Condition experimentMatches(List<String> values) {
        List<String> keys = values.stream().map(Limits::nameKey).toList();
        List<UUID> ids = new ArrayList<>();
        for (String value : values) {
            try {
                ids.add(UUID.fromString(value));
            } catch (IllegalArgumentException notAnId) {
                // a name
            }
        }
        Condition byName = EXPERIMENT.NAME_KEY.in(keys);
        return ids.isEmpty() ? byName : byName.or(EXPERIMENT.ID.in(ids));
    }

    private static Select<Record1<UUID>> experimentIds(Condition condition) {
        return DSL.select(EXPERIMENT.ID).from(EXPERIMENT).where(condition);
    }

    private static Field<Double> metricColumn(MetricSeries t, SearchField.Aggregate aggregate) {
        return switch (aggregate) {
            case LAST -> t.LAST_VALUE;
            case MIN -> t.MIN_VALUE;
            case MAX -> t.MAX_VALUE;
        };
    }

    private static Field<Double> number(Field<Double> column) {
        return DSL.nullif(column, NAN);
    }

    private OffsetDateTime time(Filter.Literal literal) {
        long millis = (long) ((Filter.Number) literal).value();
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
    }

    private static List<Double> numbers(List<Filter.Literal> values) {
        return values.stream().map(v -> ((Filter.Number) v).value()).toList();
    }

    private static List<String> texts(List<Filter.Literal> values) {
        return values.stream().map(v -> ((Filter.Text) v).value()).toList();
    }

    /**
     * A comparison of a float8 column with a finite number that NaN never satisfies. PostgreSQL
     * orders NaN above every number and makes it equal to itself, so only the operators that a
     * NaN could satisfy get the extra test. Comparing the bare column (not NULLIF(column, NaN))
     * lets the (key, value) indexes serve the range.
     */
    private static Condition numeric(Field<Double> column, Operator op, double value) {
        Condition comparison = compare(column, op, value);
        return switch (op) {
            case LT, LE, EQ -> comparison;
            case GT, GE, NE -> comparison.and(column.ne(NAN));
        };
    }

    private static Condition numericMember(Field<Double> column, List<Double> values, boolean negated) {
        return negated ? column.notIn(values).and(column.ne(NAN)) : column.in(values);
    }

    private static <T> Condition member(Field<T> field, List<T> values, boolean negated) {
        return negated ? field.notIn(values) : field.in(values);
    }

    private static <T> Condition compare(Field<T> field, Operator op, T value) {
        return switch (op) {
            case EQ -> field.eq(value);
            case NE -> field.ne(value);
            case LT -> field.lt(value);
            case LE -> field.le(value);
            case GT -> field.gt(value);
            case GE -> field.ge(value);
        };
    }
}
