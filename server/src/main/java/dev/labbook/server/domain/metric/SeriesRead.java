package dev.labbook.server.domain.metric;

import java.util.Iterator;

/**
 * The points of a series read: pages in step order (ties in arrival order), each at most
 * {@link MetricLimits#HISTORY_PAGE_POINTS} points, decoded lazily as they are iterated.
 */
public record SeriesRead(boolean downsampled, Iterator<HistoryPage> pages) {
}
