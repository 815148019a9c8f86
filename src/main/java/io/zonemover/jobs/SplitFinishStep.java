package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.Tags;
import io.zonemover.jobs.SplitContext.ClaimKey;

import java.util.Map;
import java.util.Optional;

import static io.zonemover.jobs.CarryStep.CARRIED_PV;
import static io.zonemover.jobs.CarryStep.OLD_POLICY;

/**
 * Split step 6: leaves things as they were, in the new StatefulSets. Each carried PV gets back the reclaim
 * policy its original had (unless --keep-retain); each copied volume's original is tagged as superseded and
 * kept, as are the snapshots; the locks are released (the new claims inherited the lock annotation from the
 * old ones' manifests).
 */
final class SplitFinishStep extends MigrationStep {

    static final ClaimKey POLICY_SET = new ClaimKey("carriedPvPolicySet");

    SplitFinishStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "split-finish";
    }

    @Override
    Next next(MigrationContext ctx) {
        SplitContext s = new SplitContext(ctx);
        Cluster cluster = services.cluster();
        boolean keepRetain = Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_KEEP_RETAIN));
        for (int p = 0; p < s.podCount(); p++) {
            for (int c = 0; c < s.claimCount(p); c++) {
                if (s.has(POLICY_SET, p, c)) {
                    continue;
                }
                String policy = keepRetain ? "Retain" : s.get(OLD_POLICY, p, c);
                Optional<Cluster.Pv> pv = cluster.pv(s.get(CARRIED_PV, p, c));
                if (pv.isPresent() && policy != null && !policy.equals(pv.get().reclaimPolicy())) {
                    cluster.setReclaimPolicy(pv.get().name(), policy);
                    audit(ctx, "policy", "PV " + pv.get().name() + " reclaim policy Retain -> " + policy
                            + " (as " + s.get(SplitContext.OLD_PV, p, c) + " had)");
                }
                s.put(POLICY_SET, p, c, "true");
                return Next.CHECKPOINT;
            }
        }
        for (int p = 0; p < s.podCount(); p++) {
            for (int c = 0; c < s.claimCount(p); c++) {
                if (s.copied(p, c)) {
                    services.blockStore().tag(s.get(SplitContext.OLD_VOLUME, p, c), Map.of(Tags.SUPERSEDED_BY,
                            s.get(CopyToZone.NEW_VOLUME, p, c), Tags.JOB, s.jobId()));
                }
                cluster.unlockClaim(s.newClaim(p, c), Tags.MIGRATION_ANNOTATION, s.jobId());
                services.store().unlockClaim(s.oldClaim(p, c).toString(), s.jobId());
            }
        }
        services.store().setOutcome(s.jobId(), "COMPLETED", null);
        audit(ctx, "finished", "StatefulSet " + s.namespace() + "/" + s.statefulSet() + " is now " + s.zones().size()
                + " StatefulSets, one per zone " + s.zones() + "; copied volumes' originals and the snapshots are kept");
        return Next.DONE;
    }
}
