package dev.labbook.server.domain.log;

/** Where a log line came from; {@link #code()} is the stored number. */
public enum LogStream {
    STDOUT(1),
    STDERR(2),
    /** Logged through an SDK. */
    USER(3);

    private final int code;

    LogStream(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static LogStream ofCode(int code) {
        for (LogStream stream : values()) {
            if (stream.code == code) {
                return stream;
            }
        }
        throw new IllegalArgumentException("no log stream has code " + code);
    }
}
