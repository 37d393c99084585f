package dev.labbook.cli;

import java.io.PrintWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code --json} output: the SDK's records as JSON objects (record components become fields,
 * times stay epoch milliseconds), one document per command, pretty-printed, newline-terminated.
 */
final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Json() {
    }

    private static final JsonMapper COMPACT = JsonMapper.builder().build();

    /** One object on one line (NDJSON streams such as {@code logs --json}). */
    static String compact(Object value) {
        return COMPACT.writeValueAsString(value);
    }

    static void print(PrintWriter out, Object value) {
        out.println(MAPPER.writeValueAsString(value));
        out.flush();
    }
}
