package dev.labbook.server.domain.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.labbook.server.store.TrackingStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The project each access-checked target belongs to. A model never changes run, a run never
 * changes experiment and an experiment never changes project, so found answers are cached for good (bounded; a purged
 * object's entry is harmless: the call then fails as NOT_FOUND in the service). Ids that name
 * nothing are not cached: they are asked again each time.
 */
public final class ProjectLookup {
    private static final int CACHED_IDS = 200_000;

    private final TrackingStore store;
    private final Function<UUID, Optional<String>> tokenProjects;
    private final Cache<UUID, String> runs = Caffeine.newBuilder().maximumSize(CACHED_IDS).build();
    private final Cache<UUID, String> experiments = Caffeine.newBuilder().maximumSize(CACHED_IDS).build();
    private final Cache<UUID, String> models = Caffeine.newBuilder().maximumSize(CACHED_IDS).build();

    /**
     * @param tokenProjects the project of an API token by id (a token's project never changes)
     */
    public ProjectLookup(TrackingStore store, Function<UUID, Optional<String>> tokenProjects) {
        this.store = store;
        this.tokenProjects = tokenProjects;
    }

    /** The projects of these runs; ids of runs that do not exist are absent. */
    public Map<UUID, String> ofRuns(Collection<UUID> ids) {
        return cached(runs, ids, missing -> store.inTransaction(tx -> tx.runs().projectsOf(missing)));
    }

    /** The projects of these experiments; ids of experiments that do not exist are absent. */
    public Map<UUID, String> ofExperiments(Collection<UUID> ids) {
        return cached(experiments, ids, missing -> store.inTransaction(tx -> tx.experiments().projectsOf(missing)));
    }

    /** The projects of these models (through their runs' experiments); ids of models that do not exist are absent. */
    public Map<UUID, String> ofModels(Collection<UUID> ids) {
        return cached(models, ids, missing -> store.inTransaction(tx -> tx.models().projectsOf(missing)));
    }

    public Optional<String> ofToken(UUID id) {
        return tokenProjects.apply(id);
    }

    private static Map<UUID, String> cached(Cache<UUID, String> cache, Collection<UUID> ids,
            Function<List<UUID>, Map<UUID, String>> load) {
        Map<UUID, String> found = new HashMap<>(cache.getAllPresent(ids));
        if (found.size() < ids.size()) {
            List<UUID> missing = ids.stream().filter(id -> !found.containsKey(id)).distinct().toList();
            Map<UUID, String> loaded = load.apply(missing);
            cache.putAll(loaded);
            found.putAll(loaded);
        }
        return found;
    }
}
