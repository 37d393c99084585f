package dev.labbook.server.grpc;

import dev.labbook.api.v1.CompareRunsResponse;
import dev.labbook.api.v1.MetricComparison;
import dev.labbook.api.v1.ParamComparison;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.Value;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.ParamValue;
import dev.labbook.server.domain.metric.MetricSummary;
import dev.labbook.server.domain.search.RunComparison;
import dev.labbook.server.domain.search.RunSearchService;
import dev.labbook.server.domain.search.RunWithMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** SearchRuns and CompareRuns messages to and from the search domain. */
final class SearchMapper {
    private SearchMapper() {
    }

    static RunSearchService.SearchRequest fromProto(SearchRunsRequest request) {
        List<UUID> experimentIds = new ArrayList<>(request.getExperimentIdsCount());
        for (int i = 0; i < request.getExperimentIdsCount(); i++) {
            experimentIds.add(ProtoIds.required("experiment_ids[" + i + "]", request.getExperimentIds(i)));
        }
        return new RunSearchService.SearchRequest(experimentIds, request.getProject(), request.getFilter(),
                request.getOrderByList(), request.getPageSize(), request.getPageToken(),
                ExperimentMapper.lifecycle("lifecycle", request.getLifecycle()), request.getMaxResults());
    }

    /** Which parts of each run a search returns (a presentation choice; the query is the same). */
    record View(boolean full, Set<String> paramKeys, Set<String> metricKeys) {
        static View of(SearchRunsRequest request) {
            boolean full = switch (request.getView()) {
                case RUN_VIEW_UNSPECIFIED, RUN_VIEW_FULL -> true;
                case RUN_VIEW_BASIC -> false;
                case UNRECOGNIZED -> throw new InvalidArgumentException("view", "is not a known run view");
            };
            return new View(full, Set.copyOf(request.getParamKeysList()), Set.copyOf(request.getMetricKeysList()));
        }

        static final View FULL = new View(true, Set.of(), Set.of());
    }

    static dev.labbook.api.v1.Run toProto(RunWithMetrics run, View view) {
        dev.labbook.api.v1.Run.Builder builder = RunMapper.toProto(run.run()).toBuilder();
        if (!view.full()) {
            return builder.clearParams().clearTags().build();
        }
        if (!view.paramKeys().isEmpty()) {
            List<dev.labbook.api.v1.Param> kept = builder.getParamsList().stream()
                    .filter(p -> view.paramKeys().contains(p.getKey())).toList();
            builder.clearParams().addAllParams(kept);
        }
        for (MetricSummary summary : run.metrics()) {
            if (view.metricKeys().isEmpty() || view.metricKeys().contains(summary.key())) {
                builder.addMetrics(toProto(summary));
            }
        }
        return builder.build();
    }

    static CompareRunsResponse toProto(RunComparison comparison) {
        CompareRunsResponse.Builder builder = CompareRunsResponse.newBuilder()
                .addAllDifferingParamKeys(comparison.differingParamKeys())
                .addAllDifferingTagKeys(comparison.differingTagKeys());
        comparison.runs().forEach(run -> builder.addRuns(toProto(run, View.FULL)));
        for (RunComparison.ParamRow row : comparison.params()) {
            ParamComparison.Builder param = ParamComparison.newBuilder().setKey(row.key()).setDiffers(row.differs());
            for (ParamValue value : row.values()) {
                param.addValues(value == null ? Value.getDefaultInstance() : RunMapper.toProto(value));
            }
            builder.addParams(param);
        }
        for (RunComparison.MetricRow row : comparison.metrics()) {
            MetricComparison.Builder metric = MetricComparison.newBuilder().setKey(row.key()).setDiffers(row.differs());
            for (MetricSummary summary : row.summaries()) {
                metric.addSummaries(summary == null ? dev.labbook.api.v1.MetricSummary.getDefaultInstance()
                        : toProto(summary));
            }
            builder.addMetrics(metric);
        }
        return builder.build();
    }

    static dev.labbook.api.v1.MetricSummary toProto(MetricSummary s) {
        return dev.labbook.api.v1.MetricSummary.newBuilder()
                .setKey(s.key())
                .setLastValue(s.lastValue())
                .setLastStep(s.lastStep())
                .setLastTimestampMs(s.lastTimestampMs())
                .setMin(s.min())
                .setMax(s.max())
                .setCount(s.count())
                .build();
    }
}
