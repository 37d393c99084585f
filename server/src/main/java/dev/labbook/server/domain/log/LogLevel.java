package dev.labbook.server.domain.log;

/** Severity of a log line, in increasing order; {@link #code()} is the stored number. */
public enum LogLevel {
    DEBUG(1),
    INFO(2),
    WARNING(3),
    ERROR(4);

    private final int code;

    LogLevel(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static LogLevel ofCode(int code) {
        for (LogLevel level : values()) {
            if (level.code == code) {
                return level;
            }
        }
        throw new IllegalArgumentException("no log level has code " + code);
    }
}
