package dev.labbook.sdk.internal;

import dev.labbook.api.v1.ArtifactKind;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.TableCell;
import dev.labbook.api.v1.TableRow;
import dev.labbook.api.v1.Value;
import dev.labbook.sdk.Artifact;
import dev.labbook.sdk.Direction;
import dev.labbook.sdk.Experiment;
import dev.labbook.sdk.ExperimentInfo;
import dev.labbook.sdk.InvalidArgumentException;
import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogStream;
import dev.labbook.sdk.MetricSummary;
import dev.labbook.sdk.ProjectInfo;
import dev.labbook.sdk.Run;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.SourceInfo;
import dev.labbook.sdk.Table;
import dev.labbook.sdk.TableInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Conversions between the wire types ({@code dev.labbook.api.v1}) and the SDK's value types. */
public final class Protos {
    private Protos() {
    }

    public static ExperimentInfo experiment(dev.labbook.api.v1.Experiment e) {
        return new ExperimentInfo(e.getId(), e.getProject(), e.getName(), e.getDescription(), e.getFolder(),
                e.getTagsMap(), e.getCreateTimeMs(), e.getUpdateTimeMs(), e.getDeleted(), e.getEtag(), e.getCreator());
    }

    public static ProjectInfo project(dev.labbook.api.v1.Project p) {
        return new ProjectInfo(p.getName(), p.getExperimentCount(), p.getCreateTimeMs(), p.getUpdateTimeMs());
    }

    public static RunStatus status(dev.labbook.api.v1.RunStatus s) {
        return switch (s) {
            case RUN_STATUS_COMPLETED -> RunStatus.COMPLETED;
            case RUN_STATUS_FAILED -> RunStatus.FAILED;
            case RUN_STATUS_CANCELED -> RunStatus.CANCELED;
            case RUN_STATUS_RUNNING -> RunStatus.RUNNING;
            case RUN_STATUS_QUEUED -> RunStatus.QUEUED;
            case RUN_STATUS_CRASHED -> RunStatus.CRASHED;
            default -> null;
        };
    }

    public static dev.labbook.api.v1.RunStatus status(RunStatus s) {
        return switch (s) {
            case RUNNING -> dev.labbook.api.v1.RunStatus.RUN_STATUS_RUNNING;
            case COMPLETED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_COMPLETED;
            case FAILED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_FAILED;
            case CANCELED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_CANCELED;
            case QUEUED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_QUEUED;
            case CRASHED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_CRASHED;
        };
    }

    public static RunInfo run(dev.labbook.api.v1.Run r) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (Param p : r.getParamsList()) {
            params.put(p.getKey(), value(p.getValue()));
        }
        List<MetricSummary> metrics = new ArrayList<>();
        for (dev.labbook.api.v1.MetricSummary m : r.getMetricsList()) {
            metrics.add(summary(m));
        }
        dev.labbook.api.v1.SourceInfo s = r.getSource();
        SourceInfo source = new SourceInfo(s.getScript(), s.getArgsList(), s.getGitCommit(), s.getGitDirty(),
                s.getHost(), s.getWorkingDir());
        return new RunInfo(r.getId(), r.getExperimentId(), r.getName(), status(r.getStatus()), r.getStartTimeMs(),
                r.getEndTimeMs(), r.getDescription(), Collections.unmodifiableMap(new TreeMap<>(r.getTagsMap())),
                r.getParentRunId(), source, Collections.unmodifiableMap(params), r.getResumeCount(),
                List.copyOf(metrics), r.getDeleted(), r.getCreateTimeMs(), r.getEtag(), r.getCreator());
    }

    public static MetricSummary summary(dev.labbook.api.v1.MetricSummary m) {
        return new MetricSummary(m.getKey(), m.getLastValue(), m.getLastStep(), m.getLastTimestampMs(), m.getMin(),
                m.getMax(), m.getCount());
    }

    public static dev.labbook.api.v1.SourceInfo source(SourceInfo s) {
        return dev.labbook.api.v1.SourceInfo.newBuilder().setScript(s.script()).addAllArgs(s.args())
                .setGitCommit(s.gitCommit()).setGitDirty(s.gitDirty()).setHost(s.host())
                .setWorkingDir(s.workingDir()).build();
    }

    /** A param value: Long/Integer/Short/Byte → int, Double/Float → double, Boolean, else its string. */
    public static Value value(Object v) {
        if (v == null) {
            throw new InvalidArgumentException("value", "param value must not be null", null);
        }
        Value.Builder b = Value.newBuilder();
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return b.setIntValue(((Number) v).longValue()).build();
        }
        if (v instanceof Double || v instanceof Float) {
            return b.setDoubleValue(((Number) v).doubleValue()).build();
        }
        if (v instanceof Boolean bool) {
            return b.setBoolValue(bool).build();
        }
        return b.setStringValue(v.toString()).build();
    }

    public static Object value(Value v) {
        return switch (v.getKindCase()) {
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case BOOL_VALUE -> v.getBoolValue();
            case STRING_VALUE -> v.getStringValue();
            default -> null;
        };
    }

    public static List<Param> params(Map<String, ?> params) {
        List<Param> out = new ArrayList<>(params.size());
        params.forEach((k, v) -> out.add(Param.newBuilder().setKey(k).setValue(value(v)).build()));
        return out;
    }

    public static TableCell cell(Object v) {
        if (v instanceof Number n) {
            return TableCell.newBuilder().setNumberValue(n.doubleValue()).build();
        }
        if (v == null) {
            throw new InvalidArgumentException("rows", "table cells must not be null", null);
        }
        return TableCell.newBuilder().setStringValue(v.toString()).build();
    }

    public static Object cell(TableCell c) {
        return c.getKindCase() == TableCell.KindCase.NUMBER_VALUE ? (Object) c.getNumberValue() : c.getStringValue();
    }

    public static Table.Column column(dev.labbook.api.v1.TableColumn c) {
        return new Table.Column(c.getName(), c.getType() == dev.labbook.api.v1.ColumnType.COLUMN_TYPE_NUMBER);
    }

    public static TableInfo table(dev.labbook.api.v1.TableInfo t) {
        List<Table.Column> columns = new ArrayList<>(t.getColumnsCount());
        t.getColumnsList().forEach(c -> columns.add(column(c)));
        return new TableInfo(t.getName(), t.getRowCount(), columns);
    }

    public static dev.labbook.api.v1.Direction direction(Direction d) {
        return d == Direction.INPUT ? dev.labbook.api.v1.Direction.DIRECTION_INPUT
                : dev.labbook.api.v1.Direction.DIRECTION_OUTPUT;
    }

    public static Artifact artifact(dev.labbook.api.v1.Artifact a) {
        return new Artifact(a.getRunId(), a.getPath(),
                a.getDirection() == dev.labbook.api.v1.Direction.DIRECTION_INPUT ? Direction.INPUT : Direction.OUTPUT,
                a.getKind() == ArtifactKind.ARTIFACT_KIND_REFERENCE, a.getSizeBytes(), a.getSha256(),
                a.getMediaType(), a.hasStep() ? a.getStep() : null, a.getUri(), a.getCreateTimeMs());
    }

    public static dev.labbook.api.v1.LogLevel level(LogLevel l) {
        return switch (l) {
            case DEBUG -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_DEBUG;
            case INFO -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_INFO;
            case WARNING -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_WARNING;
            case ERROR -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_ERROR;
        };
    }

    public static LogLevel level(dev.labbook.api.v1.LogLevel l) {
        return switch (l) {
            case LOG_LEVEL_DEBUG -> LogLevel.DEBUG;
            case LOG_LEVEL_WARNING -> LogLevel.WARNING;
            case LOG_LEVEL_ERROR -> LogLevel.ERROR;
            default -> LogLevel.INFO;
        };
    }

    public static dev.labbook.api.v1.LogStream stream(LogStream s) {
        return switch (s) {
            case USER -> dev.labbook.api.v1.LogStream.LOG_STREAM_USER;
            case STDOUT -> dev.labbook.api.v1.LogStream.LOG_STREAM_STDOUT;
            case STDERR -> dev.labbook.api.v1.LogStream.LOG_STREAM_STDERR;
        };
    }

    public static LogStream stream(dev.labbook.api.v1.LogStream s) {
        return switch (s) {
            case LOG_STREAM_STDOUT -> LogStream.STDOUT;
            case LOG_STREAM_STDERR -> LogStream.STDERR;
            default -> LogStream.USER;
        };
    }

    public static dev.labbook.api.v1.LogLine line(LogLine l) {
        return dev.labbook.api.v1.LogLine.newBuilder().setTimestampMs(l.timestampMs()).setLevel(level(l.level()))
                .setStream(stream(l.stream())).setText(l.text()).build();
    }

    public static LogLine line(dev.labbook.api.v1.LogLine l) {
        return new LogLine(l.getOffset(), l.getTimestampMs(), level(l.getLevel()), stream(l.getStream()), l.getText());
    }

    /** Rows as TableRow messages (cells by {@link #cell}). */
    public static List<TableRow> rows(List<? extends Map<String, ?>> rows) {
        List<TableRow> out = new ArrayList<>(rows.size());
        for (Map<String, ?> row : rows) {
            TableRow.Builder r = TableRow.newBuilder();
            row.forEach((k, v) -> r.putCells(k, Protos.cell(v)));
            out.add(r.build());
        }
        return out;
    }
}
