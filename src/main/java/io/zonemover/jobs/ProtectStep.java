package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationContext.ClaimKey;
import io.zonemover.jobs.MigrationContext.Key;

import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_PV;
import static io.zonemover.jobs.PreflightStep.STATEFUL_SET;

/**
 * Step 2: holds every claim of the move (annotation, by compare-and-set), writes the move's record into the
 * cluster, saves the manifests needed to put things back, and switches the old PVs to Retain so that
 * deleting a claim can never delete its volume. Undo: the reverse, and the record removed.
 */
final class ProtectStep extends MigrationStep {

    static final Key STS_MANIFEST = new Key("statefulSetManifest");
    static final Key SAVED_STRATEGY = new Key("savedUpdateStrategy");
    static final ClaimKey CLAIM_MANIFEST = new ClaimKey("claimManifest");
    static final ClaimKey PV_MANIFEST = new ClaimKey("pvManifest");
    static final ClaimKey OLD_RECLAIM_POLICY = new ClaimKey("oldReclaimPolicy");

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
        for (ClaimRef ref : ctx.claims()) {
            Optional<String> holder = cluster.lockClaim(ref, Tags.MIGRATION_ANNOTATION, ctx.jobId());
            if (holder.isPresent()) {
                throw ZonemoverException.refused("claim " + ref + " is held by move " + holder.get());
            }
        }
        if (!ctx.has(MoveRecord.ACTIVE)) {
            ctx.put(MoveRecord.ACTIVE, "true");
            audit(ctx, "recorded", "record of the move kept in ConfigMap " + ctx.namespace() + "/"
                    + MoveRecord.name(ctx.jobId()) + " until it ends");
            return Next.CHECKPOINT;
        }
        if (!ctx.has(STS_MANIFEST)) {
            Cluster.StatefulSet sts = cluster.statefulSet(ctx.namespace(), ctx.get(STATEFUL_SET)).orElseThrow(() ->
                    ZonemoverException.failed("StatefulSet " + ctx.get(STATEFUL_SET) + " disappeared", null));
            for (int i = 0; i < ctx.claimCount(); i++) {
                ClaimRef ref = ctx.claimAt(i);
                Cluster.Claim claim = cluster.claim(ref).orElseThrow(() ->
                        ZonemoverException.failed("claim " + ref + " disappeared before it was protected", null));
                Cluster.Pv pv = pv(cluster, ctx.get(OLD_PV, i));
                ctx.put(CLAIM_MANIFEST, i, claim.manifest());
                ctx.put(PV_MANIFEST, i, pv.manifest());
                ctx.put(OLD_RECLAIM_POLICY, i, pv.reclaimPolicy());
            }
            ctx.put(SAVED_STRATEGY, String.valueOf(sts.updateStrategy()));
            ctx.put(STS_MANIFEST, sts.manifest());
            services.store().audit(ctx.jobId(), name(), "saved", "saved manifests of StatefulSet " + sts.name()
                    + ", claims " + ctx.all(MigrationContext.CLAIM_NAME) + " and their PVs");
            return Next.CHECKPOINT;
        }
        for (int i = 0; i < ctx.claimCount(); i++) {
            Cluster.Pv pv = pv(cluster, ctx.get(OLD_PV, i));
            if (!"Retain".equals(pv.reclaimPolicy())) {
                cluster.setReclaimPolicy(pv.name(), "Retain");
                audit(ctx, "retained", "PV " + pv.name() + " reclaim policy " + pv.reclaimPolicy() + " -> Retain");
                return Next.CHECKPOINT;
            }
        }
        return Next.DONE;
    }

    @Override
    Next undo(MigrationContext ctx) {
        Cluster cluster = services.cluster();
        for (int i = 0; i < ctx.claimCount(); i++) {
            String policy = ctx.get(OLD_RECLAIM_POLICY, i);
            Optional<Cluster.Pv> pv = cluster.pv(ctx.get(OLD_PV, i));
            if (policy != null && pv.isPresent() && !policy.equals(pv.get().reclaimPolicy())) {
                cluster.setReclaimPolicy(pv.get().name(), policy);
                audit(ctx, "restored", "PV " + pv.get().name() + " reclaim policy back to " + policy);
                return Next.CHECKPOINT;
            }
        }
        new MoveRecord(services).delete(ctx);
        ctx.remove(MoveRecord.ACTIVE);
        for (ClaimRef ref : ctx.claims()) {
            cluster.unlockClaim(ref, Tags.MIGRATION_ANNOTATION, ctx.jobId());
            services.store().unlockClaim(ref.toString(), ctx.jobId());
        }
        services.store().setOutcome(ctx.jobId(), "ROLLED_BACK", null);
        audit(ctx, "rolled-back", "pod " + ctx.get(PreflightStep.POD) + " is back on its original volumes "
                + ctx.all(PreflightStep.OLD_VOLUME) + "; snapshots and any new volume are kept, tagged");
        return Next.DONE;
    }

    private static Cluster.Pv pv(Cluster cluster, String name) {
        return cluster.pv(name).orElseThrow(() -> ZonemoverException.failed("PV " + name + " disappeared", null));
    }
}
