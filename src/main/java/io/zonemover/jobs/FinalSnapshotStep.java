package io.zonemover.jobs;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.PortError;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationContext.ClaimKey;

import java.util.List;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_VOLUME;

/**
 * Step 5: the snapshots the new volumes are restored from, taken while nothing can write to the old ones.
 * EC2 limits CreateSnapshot per volume (about one per 15 s, at most 5 pending); those answers mean "wait",
 * not "fail". A snapshot that ends in error is taken again, up to {@link #MAX_ATTEMPTS} times.
 */
final class FinalSnapshotStep extends MigrationStep {

    static final String PHASE = "final";
    static final int MAX_ATTEMPTS = 3;
    static final ClaimKey FINAL_SNAPSHOT = new ClaimKey("finalSnapshotId");
    static final ClaimKey ATTEMPT = new ClaimKey("finalSnapshotAttempt");
    static final ClaimKey INTENT = new ClaimKey("finalSnapshotIntent");

    private final CreateIntents intents = new CreateIntents();
    private final ChangePace pace = new ChangePace();

    FinalSnapshotStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "final-snapshot";
    }

    @Override
    Next next(MigrationContext ctx) {
        for (int i = 0; i < ctx.claimCount(); i++) {
            if (!ctx.has(FINAL_SNAPSHOT, i) && PreflightStep.rescue(ctx)) {
                // The volume's zone is down: the new volume starts from the snapshot preflight chose.
                ctx.put(FINAL_SNAPSHOT, i, ctx.get(PreflightStep.SOURCE_SNAPSHOT, i));
                audit(ctx, "chosen", "restoring " + ctx.get(OLD_VOLUME, i) + " from its snapshot "
                        + ctx.get(PreflightStep.SOURCE_SNAPSHOT, i) + " (data written after it is lost)");
                return Next.CHECKPOINT;
            }
            if (!ctx.has(FINAL_SNAPSHOT, i)) {
                return create(ctx, i);
            }
        }
        List<String> ids = ctx.all(FINAL_SNAPSHOT);
        long early = pace.untilFirstLook(ids);
        if (early > 0) {
            return waitAbout(early);
        }
        List<EbsSnapshot> snapshots = services.blockStore().snapshots(ids);
        boolean allCompleted = true;
        long wait = 0;
        for (int i = 0; i < ctx.claimCount(); i++) {
            String id = ids.get(i);
            Optional<EbsSnapshot> snapshot = snapshots.stream().filter(s -> s.id().equals(id)).findFirst();
            if (snapshot.isEmpty()) {
                report("final snapshot " + id + ": not visible yet");
                allCompleted = false;
            } else if (snapshot.get().failed()) {
                int attempt = (int) ctx.getLong(ATTEMPT, i, 1);
                if (attempt >= MAX_ATTEMPTS) {
                    throw ZonemoverException.failed("final snapshot of " + ctx.get(OLD_VOLUME, i) + " failed " + attempt
                            + " times (last: " + id + ": " + snapshot.get().stateMessage() + ")", null);
                }
                audit(ctx, "failed", "final snapshot " + id + " ended in error; taking another");
                pace.done(id);
                ctx.put(ATTEMPT, i, attempt + 1);
                ctx.remove(FINAL_SNAPSHOT, i);
                return Next.CHECKPOINT;
            } else if (!snapshot.get().completed()) {
                report("final snapshot " + id + " " + snapshot.get().state() + " " + snapshot.get().progress());
                allCompleted = false;
                // The pod is down: look at the soonest the snapshot can be done, rather than a little after.
                wait = Math.max(wait, pace.soonestMillis(id, ChangePace.percent(snapshot.get().progress())));
            }
        }
        if (!allCompleted) {
            return waitAbout(wait);
        }
        ids.forEach(pace::done);
        audit(ctx, "completed", "final snapshot" + (ids.size() == 1 ? " " : "s ") + String.join(", ", ids) + " completed");
        return Next.DONE;
    }

    private Next create(MigrationContext ctx, int i) {
        String volumeId = ctx.get(OLD_VOLUME, i);
        int attempt = (int) ctx.getLong(ATTEMPT, i, 1);
        if (intents.record(ctx, INTENT, i, attempt)) {
            return Next.AGAIN;
        }
        EbsVolume volume = services.blockStore().volume(volumeId).orElseThrow(() ->
                ZonemoverException.failed("source volume " + volumeId + " disappeared", null));
        if (!volume.released()) {
            // Something attached it again since quiesce: a snapshot now could miss writes.
            throw ZonemoverException.failed("source volume " + volumeId + " is " + volume.state()
                    + " again; refusing to take the final snapshot of a volume in use", null);
        }
        Optional<EbsSnapshot> earlier = intents.mayExist(ctx, INTENT, i, attempt)
                ? Snapshots.find(Snapshots.ofJob(services.blockStore(), ctx.jobId()), volumeId, PHASE, attempt)
                : Optional.empty();
        String id;
        if (earlier.isPresent()) {
            id = earlier.get().id();
        } else {
            try {
                long asked = pace.now();
                id = services.blockStore().createSnapshot(volumeId, "zonemover " + ctx.jobId() + " final snapshot of "
                        + volumeId, Snapshots.tags(ctx, i, PHASE, attempt));
                pace.started(id, asked, services.pollMillis());
            } catch (PortError e) {
                if (Snapshots.perVolumeLimit(e)) {
                    report("EC2 limits snapshots per volume (" + e.code() + "); waiting before asking again");
                    return Next.WAIT;
                }
                throw e;
            }
        }
        SourceVolume.save(ctx, i, volume);
        ctx.put(FINAL_SNAPSHOT, i, id);
        audit(ctx, earlier.isPresent() ? "found" : "created", "final snapshot " + id + " of " + volumeId
                + (earlier.isPresent() ? " (from an earlier attempt)" : ""));
        return Next.CHECKPOINT;
    }
}
