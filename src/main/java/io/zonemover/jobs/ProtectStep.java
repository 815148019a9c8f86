package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 2: marks the claim as this job's, saves the manifests the job will need to put things back, and
 * switches the old PV to Retain so that deleting the claim can never delete the volume.
 */
final class ProtectStep extends MigrationStep {

    ProtectStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "protect";
    }

    @Override
    Next next(MigrationContext ctx) {
        Cluster cluster = services.cluster();
        Cluster.Claim claim = cluster.claim(ctx.claim()).orElseThrow(() ->
                ZonemoverException.failed("claim " + ctx.claim() + " disappeared before it was protected", null));
        if (!ctx.jobId().equals(claim.annotations().get(Tags.MIGRATION_ANNOTATION))) {
            cluster.annotateClaim(ctx.claim(), Tags.MIGRATION_ANNOTATION, ctx.jobId());
            audit(ctx, "annotated", "claim " + ctx.claim() + " annotated " + Tags.MIGRATION_ANNOTATION + "=" + ctx.jobId());
            return Next.CHECKPOINT;
        }
        Cluster.Pv pv = cluster.pv(ctx.get(OLD_PV)).orElseThrow(() ->
                ZonemoverException.failed("PV " + ctx.get(OLD_PV) + " disappeared", null));
        if (!ctx.has(STS_MANIFEST)) {
            Cluster.StatefulSet sts = cluster.statefulSet(ctx.claim().namespace(), ctx.get(STS_NAME)).orElseThrow(() ->
                    ZonemoverException.failed("StatefulSet " + ctx.get(STS_NAME) + " disappeared", null));
            ctx.put(CLAIM_MANIFEST, claim.manifest());
            ctx.put(PV_MANIFEST, pv.manifest());
            ctx.put(STS_MANIFEST, sts.manifest());
            services.store().audit(ctx.jobId(), name(), "saved", "saved manifests of claim, PV " + pv.name()
                    + " and StatefulSet " + sts.name());
            return Next.CHECKPOINT;
        }
        if (!ctx.has(OLD_RECLAIM_POLICY)) {
            // Recorded in its own checkpoint before the patch, so a rollback knows the policy to restore.
            ctx.put(OLD_RECLAIM_POLICY, pv.reclaimPolicy());
            return Next.CHECKPOINT;
        }
        if (!"Retain".equals(pv.reclaimPolicy())) {
            cluster.setReclaimPolicy(pv.name(), "Retain");
            audit(ctx, "retained", "PV " + pv.name() + " reclaim policy " + pv.reclaimPolicy() + " -> Retain");
        }
        return Next.DONE;
    }
}
