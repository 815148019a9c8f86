package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Puts a claim back on its original volume and the StatefulSet back in place, from whatever point a job
 * reached. Like the steps, every action looks first, so a rollback killed halfway can simply run again.
 * Nothing is deleted but the static PV zonemover created (its volume is Retain and stays, tagged).
 */
final class Rollback {

    private static final Duration LIMIT = Duration.ofMinutes(15);

    private final MigrationServices services;

    Rollback(MigrationServices services) {
        this.services = services;
    }

    void run(MigrationContext ctx) throws InterruptedException {
        Cluster cluster = services.cluster();
        String namespace = ctx.claim().namespace();
        report("rolling back " + ctx.claim() + " to " + ctx.get(OLD_VOLUME));
        if (ctx.has(QUIESCE_STARTED) && ctx.has(STS_MANIFEST)) {
            long deadline = System.currentTimeMillis() + LIMIT.toMillis();
            while (!rebindToOld(ctx, cluster, namespace)) {
                if (System.currentTimeMillis() > deadline) {
                    throw ZonemoverException.failed("rollback did not converge within " + LIMIT.toMinutes()
                            + " minutes; run `zonemover jobs rollback " + ctx.jobId() + "` again", null);
                }
                Thread.sleep(services.pollMillis());
            }
            String newPv = ctx.get(NEW_PV);
            if (newPv != null && cluster.pv(newPv).isPresent()) {
                cluster.deletePv(newPv);
                audit(ctx, "deleted", "PV " + newPv + " deleted (Retain: volume " + ctx.get(NEW_VOLUME) + " is kept)");
            }
            if (cluster.statefulSet(namespace, ctx.get(STS_NAME)).isEmpty()) {
                cluster.createStatefulSet(ctx.get(STS_MANIFEST));
                audit(ctx, "created", "StatefulSet " + namespace + "/" + ctx.get(STS_NAME) + " restored");
            }
        }
        String oldPolicy = ctx.get(OLD_RECLAIM_POLICY);
        if (oldPolicy != null && ctx.has(OLD_PV)) {
            cluster.pv(ctx.get(OLD_PV)).filter(pv -> !oldPolicy.equals(pv.reclaimPolicy())).ifPresent(pv -> {
                cluster.setReclaimPolicy(pv.name(), oldPolicy);
                audit(ctx, "restored", "PV " + pv.name() + " reclaim policy back to " + oldPolicy);
            });
        }
        if (ctx.has(NEW_VOLUME)) {
            Optional<EbsVolume> newVolume = services.blockStore().volume(ctx.get(NEW_VOLUME));
            newVolume.ifPresent(v -> services.blockStore().tag(v.id(), Map.of(Tags.ROLLED_BACK, ctx.jobId())));
        }
        cluster.claim(ctx.claim()).filter(c -> ctx.jobId().equals(c.annotations().get(Tags.MIGRATION_ANNOTATION)))
                .ifPresent(c -> cluster.annotateClaim(ctx.claim(), Tags.MIGRATION_ANNOTATION, null));
        ctx.put(ROLLED_BACK, "true");
        services.store().setOutcome(ctx.jobId(), "ROLLED_BACK", null);
        services.store().unlockClaim(ctx.claim().toString(), ctx.jobId());
        audit(ctx, "rolled-back", ctx.claim() + " is bound to " + ctx.get(OLD_PV) + " (" + ctx.get(OLD_VOLUME)
                + ") again; snapshots and any new volume are kept");
    }

    /** One pass towards "claim Bound to the old PV"; true once there. */
    private boolean rebindToOld(MigrationContext ctx, Cluster cluster, String namespace) {
        String oldPv = ctx.get(OLD_PV);
        Optional<Cluster.Claim> claim = cluster.claim(ctx.claim());
        if (claim.isPresent() && oldPv.equals(claim.get().volumeName())) {
            return "Bound".equals(claim.get().phase());
        }
        // Nothing may use the claim while it is replaced: no controller, no pod.
        Optional<Cluster.StatefulSet> sts = cluster.statefulSet(namespace, ctx.get(STS_NAME));
        if (sts.isPresent()) {
            if (!sts.get().deleting()) {
                cluster.deleteStatefulSetOrphan(namespace, ctx.get(STS_NAME));
                audit(ctx, "deleted", "StatefulSet " + ctx.get(STS_NAME) + " deleted (orphan) to rebind the claim");
            }
            return false;
        }
        if (cluster.pod(namespace, ctx.get(POD)).isPresent()) {
            cluster.deletePod(namespace, ctx.get(POD));
            return false;
        }
        if (claim.isPresent()) {
            if (!claim.get().deleting()) {
                cluster.deleteClaim(ctx.claim());
                audit(ctx, "deleted", "claim " + ctx.claim() + " (bound to " + claim.get().volumeName() + ") deleted");
            }
            return false;
        }
        Cluster.Pv pv = cluster.pv(oldPv).orElseThrow(() -> ZonemoverException.failed("old PV " + oldPv
                + " is gone; its manifest is saved in the job checkpoint", null));
        if (pv.claimUid() != null) {
            cluster.clearClaimRef(oldPv);
            return false;
        }
        cluster.createClaimBoundTo(ctx.get(CLAIM_MANIFEST), oldPv);
        audit(ctx, "created", "claim " + ctx.claim() + " created again with volumeName=" + oldPv);
        return false;
    }

    private void report(String message) {
        services.progress().report("rollback", message);
    }

    private void audit(MigrationContext ctx, String action, String detail) {
        services.store().audit(ctx.jobId(), "rollback", action, detail);
        services.progress().report("rollback", detail);
    }
}
