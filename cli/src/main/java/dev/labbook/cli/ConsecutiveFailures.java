package dev.labbook.cli;

/**
 * Counts failures in a row, for retry loops that run for hours (a {@code logs -f} follower):
 * only failures without progress in between count toward the limit.
 */
final class ConsecutiveFailures {
    private final int max;
    private int inARow;

    ConsecutiveFailures(int max) {
        this.max = max;
    }

    /** Records a failure; true while at most {@code max} have happened in a row. */
    boolean allowAnother() {
        inARow++;
        return inARow <= max;
    }

    /** Something worked: the count starts again. */
    void progressed() {
        inARow = 0;
    }
}
