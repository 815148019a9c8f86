package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import java.util.Map;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 9: checks the end state (claim bound to the new PV, pod Ready in the target zone), tags the old
 * volume as superseded, and releases the claim. The old volume and the snapshots are kept.
 */
final class FinishStep extends MigrationStep {

    FinishStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "finish";
    }

    @Override
    Next next(MigrationContext ctx) {
        Cluster cluster = services.cluster();
        Cluster.Claim claim = cluster.claim(ctx.claim()).orElseThrow(() ->
                ZonemoverException.failed("claim " + ctx.claim() + " is gone", null));
        if (!ctx.get(NEW_PV).equals(claim.volumeName()) || !"Bound".equals(claim.phase())) {
            throw ZonemoverException.failed("claim " + ctx.claim() + " is " + claim.phase() + " to "
                    + claim.volumeName() + ", expected Bound to " + ctx.get(NEW_PV), null);
        }
        services.blockStore().tag(ctx.get(OLD_VOLUME), Map.of(Tags.SUPERSEDED_BY, ctx.get(NEW_VOLUME),
                Tags.JOB, ctx.jobId()));
        if (claim.annotations().containsKey(Tags.MIGRATION_ANNOTATION)) {
            cluster.annotateClaim(ctx.claim(), Tags.MIGRATION_ANNOTATION, null);
        }
        double downtime = (ctx.getLong(READY_AT, 0) - ctx.getLong(QUIESCE_STARTED, 0)) / 1000.0;
        services.store().setOutcome(ctx.jobId(), "COMPLETED", downtime);
        services.store().unlockClaim(ctx.claim().toString(), ctx.jobId());
        audit(ctx, "finished", ctx.claim() + " now uses " + ctx.get(NEW_VOLUME) + " in " + ctx.get(TO_ZONE)
                + "; old volume " + ctx.get(OLD_VOLUME) + " kept, tagged " + Tags.SUPERSEDED_BY);
        return Next.DONE;
    }
}
