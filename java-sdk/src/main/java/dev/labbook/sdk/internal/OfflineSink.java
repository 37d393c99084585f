package dev.labbook.sdk.internal;

import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.offline.OfflineRunWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A run written to an offline directory (docs/offline-format.md), synchronously and never throwing. */
public final class OfflineSink implements RunSink {
    private final OfflineRunWriter writer;
    private final Supplier<List<String>> keyNames;

    public OfflineSink(OfflineRunWriter writer, Supplier<List<String>> keyNames) {
        this.writer = writer;
        this.keyNames = keyNames;
    }

    public OfflineRunWriter writer() {
        return writer;
    }

    @Override
    public void accept(PointBlock block) {
        writer.metrics(block, keyNames.get());
    }

    @Override
    public void params(Map<String, ?> params) {
        writer.params(params);
    }

    @Override
    public void tags(Map<String, String> tags) {
        writer.tags(tags);
    }

    @Override
    public void description(String description) {
        writer.description(description);
    }

    @Override
    public void rows(String table, List<? extends Map<String, ?>> rows) {
        writer.rows(table, rows);
    }

    @Override
    public void log(LogLine line) {
        writer.log(line);
    }

    @Override
    public void file(Path file, String path, Direction direction, Long step) {
        writer.file(file, path, direction, step);
    }

    @Override
    public void reference(String name, String uri, Direction direction) {
        writer.reference(name, uri, direction);
    }

    @Override
    public void status(RunStatus status) {
        writer.status(status);
    }

    @Override
    public boolean flush(long timeoutMillis) {
        return true;
    }

    @Override
    public void close(long timeoutMillis) {
        writer.close();
    }
}
