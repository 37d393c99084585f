package dev.labbook.server.artifacts;

/**
 * An object's path in the local artifact store leads through a symbolic link out of the store's
 * directory: the store refuses to read, write or delete through it. Someone with access to the
 * server's files planted the link; an operator has to remove it.
 */
public final class LinkOutsideStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String storePath;

    LinkOutsideStoreException(String storePath) {
        super("the artifact store's path " + storePath + " leads through a symbolic link out of the store");
        this.storePath = storePath;
    }

    /** The path below the store's directory (an object key or a part of one). */
    public String storePath() {
        return storePath;
    }
}
