package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.Tags;

import java.util.Map;
import java.util.Optional;

/** Finding a job's snapshots again: CreateSnapshot has no client token, so tags are the only guard. */
final class Snapshots {

    static final String ATTEMPT = "zonemover.io/attempt";

    private Snapshots() {
    }

    static Optional<EbsSnapshot> find(BlockStore blockStore, String jobId, String phase, int attempt) {
        return blockStore.snapshotsTagged(Tags.JOB, jobId).stream()
                .filter(s -> phase.equals(s.tags().get(Tags.PHASE)))
                .filter(s -> String.valueOf(attempt).equals(s.tags().get(ATTEMPT)))
                .filter(s -> !s.failed())
                .reduce((first, second) -> second);
    }

    static Map<String, String> tags(MigrationContext ctx, String phase, int attempt) {
        Map<String, String> tags = new java.util.LinkedHashMap<>(
                Tags.forSnapshot(ctx.jobId(), phase, ctx.get(MigrationContext.OLD_VOLUME), ctx.claim()));
        tags.put(ATTEMPT, String.valueOf(attempt));
        return tags;
    }
}
