package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.PortError;
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

    /**
     * The job's snapshot of this volume for this phase and attempt: the one an earlier run took (found by its
     * tags), else a new one. Empty when EC2 limits snapshots of the volume for now (about one per 15 s, at most
     * 5 pending): that means "ask again later", not "fail".
     */
    static Optional<String> findOrTake(BlockStore blockStore, String jobId, String volumeId, ClaimRef claim,
                                       String phase, int attempt) {
        Optional<EbsSnapshot> earlier = find(ofJob(blockStore, jobId), volumeId, phase, attempt);
        if (earlier.isPresent()) {
            return Optional.of(earlier.get().id());
        }
        Map<String, String> tags = new java.util.LinkedHashMap<>(Tags.forSnapshot(jobId, phase, volumeId, claim));
        tags.put(ATTEMPT, String.valueOf(attempt));
        try {
            return Optional.of(blockStore.createSnapshot(volumeId, "zonemover " + jobId + " " + phase + " snapshot of "
                    + volumeId, tags));
        } catch (PortError e) {
            if (perVolumeLimit(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** EC2 refused a CreateSnapshot for the volume's own snapshot limits (rate, or pending count): wait and ask again. */
    static boolean perVolumeLimit(io.zonemover.domain.PortError e) {
        return e.code().equals("SnapshotCreationPerVolumeRateExceeded")
                || e.code().equals("ConcurrentSnapshotLimitExceeded");
    }

    static Map<String, String> tags(MigrationContext ctx, int claim, String phase, int attempt) {
        Map<String, String> tags = new java.util.LinkedHashMap<>(Tags.forSnapshot(ctx.jobId(), phase,
                ctx.get(PreflightStep.OLD_VOLUME, claim), ctx.claimAt(claim)));
        tags.put(ATTEMPT, String.valueOf(attempt));
        return tags;
    }
}
