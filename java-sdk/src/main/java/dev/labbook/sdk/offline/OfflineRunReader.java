package dev.labbook.sdk.offline;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an offline run directory: run.json and the complete lines of each .jsonl file (a last
 * line without its newline is ignored, as the format says: its writer died mid-line).
 */
final class OfflineRunReader {
    private final Path dir;

    OfflineRunReader(Path dir) {
        this.dir = dir;
    }

    static boolean isRunDir(Path dir) {
        return Files.isRegularFile(dir.resolve(OfflineFormat.RUN_JSON));
    }

    JsonObject runJson() throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(dir.resolve(OfflineFormat.RUN_JSON),
                StandardCharsets.UTF_8)).getAsJsonObject();
        String format = o.has("format") ? o.get("format").getAsString() : "";
        if (!format.equals(OfflineFormat.FORMAT)) {
            throw new IOException(dir + ": run.json format is '" + format + "', expected " + OfflineFormat.FORMAT);
        }
        if (!o.has("local_id") || o.get("local_id").getAsString().isEmpty()) {
            throw new IOException(dir + ": run.json has no local_id");
        }
        return o;
    }

    /** The complete lines of a .jsonl file, parsed; empty when the file is absent. */
    List<JsonObject> lines(String file) throws IOException {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            return List.of();
        }
        String text = Files.readString(p, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        List<JsonObject> out = new ArrayList<>();
        if (end < 0) {
            return out;
        }
        int lineNo = 0;
        for (String line : text.substring(0, end).split("\n", -1)) {
            lineNo++;
            if (line.isBlank()) {
                throw new IOException(p + ": line " + lineNo + " is empty");
            }
            JsonElement e;
            try {
                e = JsonParser.parseString(line);
            } catch (RuntimeException bad) {
                throw new IOException(p + ": line " + lineNo + " is not JSON: " + bad.getMessage(), bad);
            }
            if (!e.isJsonObject()) {
                throw new IOException(p + ": line " + lineNo + " is not a JSON object");
            }
            out.add(e.getAsJsonObject());
        }
        return out;
    }

    Path dir() {
        return dir;
    }
}
