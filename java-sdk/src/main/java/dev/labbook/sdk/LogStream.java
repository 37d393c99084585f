package dev.labbook.sdk;

/** Where a log line came from: the SDK ({@code USER}) or captured process output. */
public enum LogStream {
    USER, STDOUT, STDERR
}
