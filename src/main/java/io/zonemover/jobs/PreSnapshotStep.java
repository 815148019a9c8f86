package io.zonemover.jobs;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.Tags;

import java.util.Optional;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 3, while the pod still runs: a snapshot that serves as the incremental base, so the final snapshot,
 * taken during the downtime, copies only what changed since. Optional; a failure here only costs time.
 */
final class PreSnapshotStep extends MigrationStep {

    static final String PHASE = "pre";

    PreSnapshotStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "pre-snapshot";
    }

    @Override
    Next next(MigrationContext ctx) {
        if (!Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_PRE_SNAPSHOT))) {
            return Next.DONE;
        }
        String volumeId = ctx.get(OLD_VOLUME);
        if (!ctx.has(PRE_SNAPSHOT)) {
            Optional<EbsSnapshot> earlier = Snapshots.find(services.blockStore(), ctx.jobId(), PHASE, 1);
            String id = earlier.map(EbsSnapshot::id).orElseGet(() -> services.blockStore().createSnapshot(volumeId,
                    "zonemover " + ctx.jobId() + " incremental base of " + volumeId,
                    Snapshots.tags(ctx, PHASE, 1)));
            ctx.put(PRE_SNAPSHOT, id);
            audit(ctx, earlier.isPresent() ? "found" : "created", "pre-snapshot " + id + " of " + volumeId
                    + (earlier.isPresent() ? " (from an earlier attempt)" : ""));
            return Next.CHECKPOINT;
        }
        Optional<EbsSnapshot> snapshot = services.blockStore().snapshot(ctx.get(PRE_SNAPSHOT));
        if (snapshot.isEmpty()) {
            report("pre-snapshot " + ctx.get(PRE_SNAPSHOT) + ": not visible yet");
            return Next.WAIT;
        }
        if (snapshot.get().failed()) {
            audit(ctx, "skipped", "pre-snapshot " + snapshot.get().id() + " failed (" + snapshot.get().stateMessage()
                    + "); continuing: the final snapshot will copy more");
            return Next.DONE;
        }
        if (snapshot.get().completed()) {
            audit(ctx, "completed", "pre-snapshot " + snapshot.get().id() + " completed");
            return Next.DONE;
        }
        report("pre-snapshot " + snapshot.get().id() + " " + snapshot.get().state() + " " + snapshot.get().progress());
        return Next.WAIT;
    }
}
