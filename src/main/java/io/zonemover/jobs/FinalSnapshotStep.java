package io.zonemover.jobs;

import io.zonemover.aws.CloudException;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.ZonemoverException;

import java.util.Optional;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 5: the snapshot the new volume is restored from, taken while nothing can write to the old volume.
 * EC2 limits CreateSnapshot per volume (about one per 15 s, at most 5 pending); those answers mean
 * "wait", not "fail". A snapshot that ends in error is taken again, up to {@link #MAX_ATTEMPTS} times.
 */
final class FinalSnapshotStep extends MigrationStep {

    static final String PHASE = "final";
    static final int MAX_ATTEMPTS = 3;

    FinalSnapshotStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "final-snapshot";
    }

    @Override
    Next next(MigrationContext ctx) {
        String volumeId = ctx.get(OLD_VOLUME);
        int attempt = (int) ctx.getLong(FINAL_SNAPSHOT_ATTEMPT, 1);
        if (!ctx.has(FINAL_SNAPSHOT)) {
            EbsVolume volume = services.blockStore().volume(volumeId).orElseThrow(() ->
                    ZonemoverException.failed("source volume " + volumeId + " disappeared", null));
            if (!volume.available()) {
                // Something attached it again since quiesce: a snapshot now could miss writes.
                throw ZonemoverException.failed("source volume " + volumeId + " is " + volume.state()
                        + " again; refusing to take the final snapshot of a volume in use", null);
            }
            Optional<EbsSnapshot> earlier = Snapshots.find(services.blockStore(), ctx.jobId(), PHASE, attempt);
            String id;
            if (earlier.isPresent()) {
                id = earlier.get().id();
            } else {
                try {
                    id = services.blockStore().createSnapshot(volumeId,
                            "zonemover " + ctx.jobId() + " final snapshot of " + volumeId, Snapshots.tags(ctx, PHASE, attempt));
                } catch (CloudException e) {
                    if (e.code().equals("SnapshotCreationPerVolumeRateExceeded")
                            || e.code().equals("ConcurrentSnapshotLimitExceeded")) {
                        report("EC2 limits snapshots per volume (" + e.code() + "); waiting before asking again");
                        return Next.WAIT;
                    }
                    throw e;
                }
            }
            ctx.put(FINAL_SNAPSHOT, id);
            audit(ctx, earlier.isPresent() ? "found" : "created", "final snapshot " + id + " of " + volumeId
                    + (earlier.isPresent() ? " (from an earlier attempt)" : ""));
            return Next.CHECKPOINT;
        }
        Optional<EbsSnapshot> snapshot = services.blockStore().snapshot(ctx.get(FINAL_SNAPSHOT));
        if (snapshot.isEmpty()) {
            report("final snapshot " + ctx.get(FINAL_SNAPSHOT) + ": not visible yet");
            return Next.WAIT;
        }
        if (snapshot.get().failed()) {
            if (attempt >= MAX_ATTEMPTS) {
                throw ZonemoverException.failed("final snapshot failed " + attempt + " times (last: "
                        + snapshot.get().id() + ": " + snapshot.get().stateMessage() + ")", null);
            }
            audit(ctx, "failed", "final snapshot " + snapshot.get().id() + " ended in error; taking another");
            ctx.put(FINAL_SNAPSHOT_ATTEMPT, attempt + 1);
            ctx.remove(FINAL_SNAPSHOT);
            return Next.CHECKPOINT;
        }
        if (snapshot.get().completed()) {
            audit(ctx, "completed", "final snapshot " + snapshot.get().id() + " completed");
            return Next.DONE;
        }
        report("final snapshot " + snapshot.get().id() + " " + snapshot.get().state() + " " + snapshot.get().progress());
        return Next.WAIT;
    }
}
