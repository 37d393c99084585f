package dev.labbook.server.config;

import java.util.Locale;

/** How log events are written to stderr. */
public enum LogFormat {
    /** One human-readable line per event. */
    TEXT,
    /** One JSON object per line, for log collectors (Loki, Elasticsearch, Cloud Logging, ...). */
    JSON;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
