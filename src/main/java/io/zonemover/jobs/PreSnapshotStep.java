package io.zonemover.jobs;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.jobs.MigrationContext.ClaimKey;

import java.util.List;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_VOLUME;

/**
 * Step 3, while the pod still runs: a snapshot of each of its volumes that serves as the incremental base,
 * so the final snapshots, taken during the downtime, copy only what changed since. Optional; a failure
 * here only costs time.
 */
final class PreSnapshotStep extends MigrationStep {

    static final String PHASE = "pre";
    static final ClaimKey PRE_SNAPSHOT = new ClaimKey("preSnapshotId");
    static final ClaimKey INTENT = new ClaimKey("preSnapshotIntent");

    private final CreateIntents intents = new CreateIntents();
    private final ChangePace pace = new ChangePace();

    PreSnapshotStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "pre-snapshot";
    }

    @Override
    Next next(MigrationContext ctx) {
        if (!Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_PRE_SNAPSHOT)) || PreflightStep.rescue(ctx)) {
            return Next.DONE;
        }
        for (int i = 0; i < ctx.claimCount(); i++) {
            if (!ctx.has(PRE_SNAPSHOT, i)) {
                if (intents.record(ctx, INTENT, i, 1)) {
                    return Next.AGAIN;
                }
                String volumeId = ctx.get(OLD_VOLUME, i);
                Optional<EbsSnapshot> earlier = intents.mayExist(ctx, INTENT, i, 1) ? Snapshots.find(
                        Snapshots.ofJob(services.blockStore(), ctx.jobId()), volumeId, PHASE, 1) : Optional.empty();
                long asked = pace.now();
                String id = earlier.isPresent() ? earlier.get().id() : services.blockStore().createSnapshot(volumeId,
                        "zonemover " + ctx.jobId() + " incremental base of " + volumeId, Snapshots.tags(ctx, i, PHASE, 1));
                if (earlier.isEmpty()) {
                    pace.started(id, asked, services.pollMillis());
                }
                ctx.put(PRE_SNAPSHOT, i, id);
                audit(ctx, earlier.isPresent() ? "found" : "created", "pre-snapshot " + id + " of " + volumeId
                        + (earlier.isPresent() ? " (from an earlier attempt)" : ""));
                return Next.CHECKPOINT;
            }
        }
        List<String> ids = ctx.all(PRE_SNAPSHOT);
        long early = pace.untilFirstLook(ids);
        if (early > 0) {
            return waitAbout(early);
        }
        List<EbsSnapshot> snapshots = services.blockStore().snapshots(ids);
        long wait = -1;
        for (String id : ids) {
            Optional<EbsSnapshot> snapshot = snapshots.stream().filter(s -> s.id().equals(id)).findFirst();
            if (snapshot.isEmpty()) {
                report("pre-snapshot " + id + ": not visible yet");
                return Next.WAIT;
            }
            if (!snapshot.get().completed() && !snapshot.get().failed()) {
                report("pre-snapshot " + id + " " + snapshot.get().state() + " " + snapshot.get().progress());
                wait = Math.max(wait, pace.expectedMillis(id, ChangePace.percent(snapshot.get().progress())));
            }
        }
        if (wait >= 0) {
            return waitAbout(wait);
        }
        ids.forEach(pace::done);
        snapshots.stream().filter(EbsSnapshot::failed).forEach(s -> audit(ctx, "skipped", "pre-snapshot " + s.id()
                + " failed (" + s.stateMessage() + "); continuing: the final snapshot will copy more"));
        audit(ctx, "completed", "pre-snapshots " + ids + " completed");
        return Next.DONE;
    }
}
