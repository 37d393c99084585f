package dev.labbook.sdk.internal;

import dev.labbook.sdk.ErrorReason;
import dev.labbook.sdk.LabbookException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One warning, not one per retry, when the server refuses a client's background work (metric
 * batches, queued calls, spool replay) for its credentials: a revoked or expired token, a
 * missing role. The work is kept and retried like during an outage; the warning says why and
 * what to do. Once a background call goes through again, a later refusal warns again.
 */
public final class AuthTrouble {
    private static final Logger LOG = Logger.getLogger(AuthTrouble.class.getName());
    private final AtomicBoolean warned = new AtomicBoolean();

    /** A background call failed with {@code error}: warns if it is the first credentials refusal since the last success. */
    public void refused(Throwable error) {
        if (!Errors.isAuthFailure(error) || !warned.compareAndSet(false, true)) {
            return;
        }
        LabbookException e = Errors.translate(error);
        String reason = e.reason() == ErrorReason.UNKNOWN ? "" : " " + e.reason();
        LOG.warning("labbook: the server refuses this client's credentials (" + e.code() + reason + ": "
                + e.getMessage() + "). Metric points are kept (spooled to disk after a while) and other calls "
                + "retried until it accepts them; nothing is dropped meanwhile.");
    }

    /** A background call went through: the next refusal is news again. */
    public void accepted() {
        if (warned.get() && warned.compareAndSet(true, false)) {
            LOG.info("labbook: the server accepts this client's credentials again");
        }
    }

    public boolean warned() {
        return warned.get();
    }
}
