package dev.labbook.server.domain.access;

/**
 * The principal of the call being served, for what the domain records about it: new experiments
 * and runs keep it as their {@code creator}. The gRPC layer provides it from the verified caller.
 */
@FunctionalInterface
public interface CurrentCaller {
    /** Nobody: what tests of the domain alone use. */
    CurrentCaller NONE = () -> "";

    /** The caller's principal name; empty when access control is off. */
    String name();
}
