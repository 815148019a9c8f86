package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.Tags;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finding a job's snapshots again: CreateSnapshot has no client token, so tags are the only guard. */
final class Snapshots {

    static final String ATTEMPT = "zonemover.io/attempt";

    private Snapshots() {
    }

    /** The job's snapshots, one DescribeSnapshots call for all of its volumes. */
    static List<EbsSnapshot> ofJob(BlockStore blockStore, String jobId) {
        return blockStore.snapshotsTagged(Tags.JOB, jobId);
    }

    /** The newest usable snapshot of this volume, phase and attempt among the job's. */
    static Optional<EbsSnapshot> find(List<EbsSnapshot> ofJob, String volumeId, String phase, int attempt) {
        return ofJob.stream()
                .filter(s -> volumeId.equals(s.tags().get(Tags.SOURCE_VOLUME)))
                .filter(s -> phase.equals(s.tags().get(Tags.PHASE)))
                .filter(s -> String.valueOf(attempt).equals(s.tags().get(ATTEMPT)))
                .filter(s -> !s.failed())
                .reduce((first, second) -> second);
    }

    static Map<String, String> tags(MigrationContext ctx, int claim, String phase, int attempt) {
        Map<String, String> tags = new java.util.LinkedHashMap<>(Tags.forSnapshot(ctx.jobId(), phase,
                ctx.get(PreflightStep.OLD_VOLUME, claim), ctx.claimAt(claim)));
        tags.put(ATTEMPT, String.valueOf(attempt));
        return tags;
    }
}
