package dev.labbook.sdk;

/** Severity of a text log line. */
public enum LogLevel {
    DEBUG, INFO, WARNING, ERROR
}
