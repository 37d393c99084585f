package dev.labbook.server.store;

/** Secrets shared by every server replica, created once and then read by all. */
public interface ServerSecretStore {
    /** The secret stored under {@code name}; stores {@code candidate} first when there is none yet. */
    byte[] getOrCreate(String name, byte[] candidate);
}
