package dev.labbook.server.domain.model;

/** Where a model is in its life: created (files may still be uploading), complete, or failed. */
public enum ModelStatus {
    PENDING, READY, FAILED
}
