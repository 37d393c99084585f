package dev.labbook.sdk.internal;

import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.RunStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The sink of an offline run that has nowhere to write (not even a temporary directory): it
 * keeps nothing, so that training goes on; the run said so once when it was created.
 */
public final class DiscardingSink implements RunSink {
    @Override
    public void accept(PointBlock block) {
    }

    @Override
    public void params(Map<String, ?> params) {
    }

    @Override
    public void tags(Map<String, String> tags) {
    }

    @Override
    public void description(String description) {
    }

    @Override
    public void rows(String table, List<? extends Map<String, ?>> rows) {
    }

    @Override
    public void log(LogLine line) {
    }

    @Override
    public void file(Path file, String path, Direction direction, Long step) {
    }

    @Override
    public void reference(String name, String uri, Direction direction) {
    }

    @Override
    public void status(RunStatus status) {
    }

    @Override
    public boolean flush(long timeoutMillis) {
        return true;
    }

    @Override
    public void close(long timeoutMillis) {
    }
}
