package io.zonemover.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.jobs.MigrationContext.Key;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The copy of a move kept in the cluster beside its claims: a ConfigMap {@code zonemover-<jobId>} holding a
 * summary any `diagnose` can read ({@code move.json}), the whole checkpoint and the job's parameters, so that
 * `jobs adopt` on any machine can rebuild the job. Written at protect, kept current at each checkpoint,
 * removed when the move ends. Holds no secrets: manifests, ids and zones.
 */
final class MoveRecord {

    /** Set once the record exists: from then on every checkpoint is copied into it. */
    static final Key ACTIVE = new Key("recordActive");

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String SUMMARY = "move.json";
    static final String CHECKPOINT = "checkpoint.json";
    static final String PARAMETERS = "parameters.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MigrationServices services;

    MoveRecord(MigrationServices services) {
        this.services = services;
    }

    static String name(String jobId) {
        return "zonemover-" + jobId;
    }

    /** What was saved: the checkpoint and the job parameters. */
    record Saved(Map<String, String> checkpoint, Map<String, String> parameters, Map<String, Object> summary) {
    }

    void saveIfActive(MigrationContext ctx, String step) {
        if (ctx.has(ACTIVE)) {
            save(ctx, step);
        }
    }

    void save(MigrationContext ctx, String step) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("jobId", ctx.jobId());
        summary.put("namespace", ctx.namespace());
        summary.put("pod", ctx.get(PreflightStep.POD));
        summary.put("statefulSet", ctx.get(PreflightStep.STATEFUL_SET));
        summary.put("claims", ctx.all(MigrationContext.CLAIM_NAME));
        summary.put("fromZone", String.join(",", ctx.all(PreflightStep.FROM_ZONE).stream().distinct().toList()));
        summary.put("toZone", ctx.get(PreflightStep.TO_ZONE));
        summary.put("step", step);
        summary.put("pointOfNoReturn", ctx.has(RestartStep.RAN_ON_NEW_VOLUMES));
        summary.put("oldVolumeIds", ctx.all(PreflightStep.OLD_VOLUME));
        summary.put("newVolumeIds", ctx.all(RestoreStep.NEW_VOLUME));
        summary.put("updatedAt", Instant.now().toString());
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String p : MigrationJob.PARAMS) {
            if (ctx.param(p) != null) {
                parameters.put(p, ctx.param(p));
            }
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put(SUMMARY, write(summary));
        data.put(CHECKPOINT, write(ctx.snapshot()));
        data.put(PARAMETERS, write(parameters));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "zonemover");
        labels.put("zonemover.io/job", ctx.jobId());
        labels.put("zonemover.io/pod", String.valueOf(ctx.get(PreflightStep.POD)));
        services.cluster().saveConfigMap(ctx.namespace(), name(ctx.jobId()), labels, data);
    }

    void delete(MigrationContext ctx) {
        services.cluster().deleteConfigMap(ctx.namespace(), name(ctx.jobId()));
    }

    Optional<Saved> read(String namespace, String jobId) {
        return services.cluster().configMap(namespace, name(jobId)).map(data -> new Saved(
                read(data.get(CHECKPOINT), new TypeReference<Map<String, String>>() { }),
                read(data.get(PARAMETERS), new TypeReference<Map<String, String>>() { }),
                read(data.get(SUMMARY), new TypeReference<Map<String, Object>>() { })));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String text, TypeReference<T> type) {
        if (text == null) {
            throw new IllegalStateException("the move's record is incomplete");
        }
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the move's record is not readable: " + e.getOriginalMessage());
        }
    }

}
