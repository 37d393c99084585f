package dev.labbook.server.domain;

/** A typed parameter of a run. */
public record Param(String key, ParamValue value) {
}
