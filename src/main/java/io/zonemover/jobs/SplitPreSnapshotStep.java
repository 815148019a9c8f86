package io.zonemover.jobs;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.jobs.SplitContext.ClaimKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.zonemover.jobs.SplitContext.OLD_VOLUME;

/**
 * Split step 2, while every pod still runs: an incremental base snapshot of each volume that will be copied,
 * so that a pod's own snapshot, taken while it is stopped, copies only what changed since. Optional: a base
 * that fails only lengthens that pod's downtime.
 */
final class SplitPreSnapshotStep extends MigrationStep {

    static final String PHASE = "pre";
    static final ClaimKey PRE_SNAPSHOT = new ClaimKey("preSnapshotId");

    SplitPreSnapshotStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "split-pre-snapshot";
    }

    @Override
    Next next(MigrationContext ctx) {
        SplitContext s = new SplitContext(ctx);
        List<String> ids = new ArrayList<>();
        for (int p = 0; p < s.podCount(); p++) {
            for (int c = 0; c < s.claimCount(p); c++) {
                if (!s.copied(p, c)) {
                    continue;
                }
                if (!s.has(PRE_SNAPSHOT, p, c)) {
                    String volume = s.get(OLD_VOLUME, p, c);
                    Optional<String> id = Snapshots.findOrTake(services.blockStore(), s.jobId(), volume,
                            s.oldClaim(p, c), PHASE, 1);
                    if (id.isEmpty()) {
                        report("EC2 limits snapshots of " + volume + " for now; asking again");
                        return Next.WAIT;
                    }
                    s.put(PRE_SNAPSHOT, p, c, id.get());
                    audit(ctx, "created", "base snapshot " + id.get() + " of " + volume + " (" + s.oldClaim(p, c)
                            + ", to be copied to " + s.toZone(p) + ") while its pod runs");
                    return Next.CHECKPOINT;
                }
                ids.add(s.get(PRE_SNAPSHOT, p, c));
            }
        }
        List<EbsSnapshot> snapshots = services.blockStore().snapshots(ids);
        for (String id : ids) {
            Optional<EbsSnapshot> snapshot = snapshots.stream().filter(x -> x.id().equals(id)).findFirst();
            if (snapshot.isEmpty() || !snapshot.get().completed() && !snapshot.get().failed()) {
                report("base snapshot " + id + " " + snapshot.map(x -> x.state() + " " + x.progress()).orElse("not visible yet"));
                return Next.WAIT;
            }
        }
        if (!ids.isEmpty()) {
            audit(ctx, "completed", "base snapshots " + ids + " done" + (snapshots.stream().anyMatch(EbsSnapshot::failed)
                    ? " (some failed: their pods' own snapshots will copy more)" : ""));
        }
        return Next.DONE;
    }
}
