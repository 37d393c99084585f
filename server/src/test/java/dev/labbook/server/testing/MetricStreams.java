package dev.labbook.server.testing;

import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Test helpers for the metric RPCs: send batches on one LogMetrics stream, read whole series. */
public final class MetricStreams {
    private MetricStreams() {
    }

    /** Sends the batches on one stream and returns the response, or throws the stream's error. */
    public static LogMetricsResponse send(ManagedChannel channel, List<MetricBatch> batches) {
        FirstResponse<LogMetricsResponse> result = new FirstResponse<>();
        StreamObserver<LogMetricsRequest> stream = MetricServiceGrpc.newStub(channel).logMetrics(result);
        for (MetricBatch batch : batches) {
            stream.onNext(LogMetricsRequest.newBuilder().setBatch(batch).build());
        }
        stream.onCompleted();
        return result.await(60);
    }

    /** A whole series (or range) read back as parallel lists. */
    public record Series(List<Long> steps, List<Long> timestamps, List<Double> values, boolean downsampled) {
        public int size() {
            return steps.size();
        }
    }

    public static Series history(ManagedChannel channel, GetMetricHistoryRequest request) {
        List<Long> steps = new ArrayList<>();
        List<Long> timestamps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        boolean downsampled = false;
        Iterator<GetMetricHistoryResponse> pages = MetricServiceGrpc.newBlockingStub(channel).getMetricHistory(request);
        while (pages.hasNext()) {
            GetMetricHistoryResponse page = pages.next();
            steps.addAll(page.getStepList());
            timestamps.addAll(page.getTimestampMsList());
            values.addAll(page.getValueList());
            downsampled |= page.getDownsampled();
        }
        return new Series(steps, timestamps, values, downsampled);
    }
}
