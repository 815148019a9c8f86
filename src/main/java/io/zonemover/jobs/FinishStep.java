package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationContext.ClaimKey;
import io.zonemover.jobs.MigrationContext.Key;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_VOLUME;
import static io.zonemover.jobs.PreflightStep.STATEFUL_SET;
import static io.zonemover.jobs.PreflightStep.TO_ZONE;
import static io.zonemover.jobs.RestoreStep.NEW_PV;
import static io.zonemover.jobs.RestoreStep.NEW_VOLUME;

/**
 * Step 9: leaves things as they were, on the new volumes. Checks each claim is Bound to its new PV; gives
 * the new PVs the reclaim policy the old ones had (unless --keep-retain); gives the StatefulSet its own
 * update strategy back once its revision is seen to match its pods' (else keeps OnDelete and says so);
 * tags the old volumes as superseded; releases the claims and removes the move's record. The old volumes
 * and the snapshots are kept.
 */
final class FinishStep extends MigrationStep {

    static final ClaimKey POLICY_SET = new ClaimKey("newPvPolicySet");
    static final Key STRATEGY_CHECKED = new Key("updateStrategyChecked");
    static final Key REVISION_WARNING = new Key("revisionWarning");

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
        for (int i = 0; i < ctx.claimCount(); i++) {
            ClaimRef ref = ctx.claimAt(i);
            Cluster.Claim claim = cluster.claim(ref).orElseThrow(() ->
                    ZonemoverException.failed("claim " + ref + " is gone", null));
            if (!ctx.get(NEW_PV, i).equals(claim.volumeName()) || !"Bound".equals(claim.phase())) {
                throw ZonemoverException.failed("claim " + ref + " is " + claim.phase() + " to " + claim.volumeName()
                        + ", expected Bound to " + ctx.get(NEW_PV, i), null);
            }
            if (!ctx.has(POLICY_SET, i)) {
                String policy = Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_KEEP_RETAIN)) ? "Retain"
                        : ctx.get(ProtectStep.OLD_RECLAIM_POLICY, i);
                Optional<Cluster.Pv> pv = cluster.pv(ctx.get(NEW_PV, i));
                if (pv.isPresent() && policy != null && !policy.equals(pv.get().reclaimPolicy())) {
                    cluster.setReclaimPolicy(pv.get().name(), policy);
                    audit(ctx, "policy", "PV " + pv.get().name() + " reclaim policy Retain -> " + policy
                            + " (as the old PV had)");
                }
                ctx.put(POLICY_SET, i, "true");
                return Next.CHECKPOINT;
            }
        }
        if (!ctx.has(STRATEGY_CHECKED)) {
            return checkRevision(ctx, cluster);
        }
        for (int i = 0; i < ctx.claimCount(); i++) {
            try {
                services.blockStore().tag(ctx.get(OLD_VOLUME, i), Map.of(Tags.SUPERSEDED_BY, ctx.get(NEW_VOLUME, i),
                        Tags.JOB, ctx.jobId()));
            } catch (io.zonemover.domain.PortError e) {
                boolean deadZone = PreflightStep.rescue(ctx) && e.kind() == io.zonemover.domain.PortError.Kind.REJECTED;
                if (e.kind() != io.zonemover.domain.PortError.Kind.NOT_FOUND && !deadZone) {
                    throw e;
                }
                audit(ctx, "untagged", "old volume " + ctx.get(OLD_VOLUME, i) + " could not be tagged ("
                        + e.getMessage() + "); it is kept as it is");
            }
        }
        new MoveRecord(services).delete(ctx);
        ctx.remove(MoveRecord.ACTIVE);
        for (ClaimRef ref : ctx.claims()) {
            cluster.unlockClaim(ref, Tags.MIGRATION_ANNOTATION, ctx.jobId());
        }
        double downtime = (ctx.getLong(RestartStep.READY_AT, 0) - ctx.getLong(QuiesceStep.STARTED, 0)) / 1000.0;
        services.store().setOutcome(ctx.jobId(), "COMPLETED", downtime);
        ctx.claims().forEach(ref -> services.store().unlockClaim(ref.toString(), ctx.jobId()));
        audit(ctx, "finished", "pod " + ctx.get(PreflightStep.POD) + " now uses " + ctx.all(NEW_VOLUME) + " in "
                + ctx.get(TO_ZONE) + "; old volume" + (ctx.claimCount() == 1 ? " " : "s ") + ctx.all(OLD_VOLUME)
                + " kept, tagged " + Tags.SUPERSEDED_BY);
        return Next.DONE;
    }

    /**
     * The StatefulSet was recreated with OnDelete. If its controller computed the revision its pods already
     * run, nothing will restart: give it its own strategy back. Otherwise a rolling update would restart
     * every pod, so keep OnDelete and tell the user.
     */
    private Next checkRevision(MigrationContext ctx, Cluster cluster) {
        String namespace = ctx.namespace();
        Cluster.StatefulSet sts = cluster.statefulSet(namespace, ctx.get(STATEFUL_SET)).orElseThrow(() ->
                ZonemoverException.failed("StatefulSet " + ctx.get(STATEFUL_SET) + " is gone", null));
        if (sts.updateRevision() == null || sts.observedGeneration() < sts.generation()) {
            report("waiting for the StatefulSet controller to observe " + sts.name());
            return Next.WAIT;
        }
        List<String> differing = cluster.podsOf(namespace, sts.name()).stream()
                .filter(p -> p.revision() != null && !p.revision().equals(sts.updateRevision()))
                .map(Cluster.Pod::name).toList();
        String saved = savedStrategy(ctx);
        if (differing.isEmpty()) {
            if (!RestartStep.ON_DELETE.equals(saved) && !saved.equals(sts.updateStrategy())) {
                cluster.setUpdateStrategy(namespace, sts.name(), saved);
                audit(ctx, "strategy", "StatefulSet " + sts.name() + " revision unchanged (" + sts.updateRevision()
                        + "); its update strategy is back to " + saved);
            }
        } else {
            String warning = "StatefulSet " + sts.name() + " now has revision " + sts.updateRevision() + " but pods "
                    + differing + " run another; it is left with updateStrategy OnDelete so nothing restarts. To roll "
                    + "them deliberately: `kubectl -n " + namespace + " patch sts " + sts.name() + " --type=merge -p "
                    + "'{\"spec\":{\"updateStrategy\":" + saved + "}}'`";
            ctx.put(REVISION_WARNING, warning);
            audit(ctx, "warning", warning);
        }
        ctx.put(STRATEGY_CHECKED, "true");
        return Next.CHECKPOINT;
    }

    /** The strategy the StatefulSet had before the move; RollingUpdate when the server left it out. */
    private static String savedStrategy(MigrationContext ctx) {
        String saved = ctx.get(ProtectStep.SAVED_STRATEGY);
        return saved == null || saved.equals("null") ? "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}" : saved;
    }
}
