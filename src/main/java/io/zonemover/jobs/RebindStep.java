package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.ZonemoverException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_PV;
import static io.zonemover.jobs.PreflightStep.POD;
import static io.zonemover.jobs.PreflightStep.TO_ZONE;
import static io.zonemover.jobs.RestoreStep.NEW_PV;
import static io.zonemover.jobs.RestoreStep.NEW_VOLUME;

/**
 * Step 7: points each claim at its new volume. The old claim is deleted (its PV is Retain, so the volume
 * stays), a static PV for the new volume is created with required nodeAffinity on the target zone and a
 * claimRef without uid, and the claim is created again with the same spec and {@code volumeName} set. No
 * StatefulSet exists during this step, so no controller can race us to an empty claim. The restore step does
 * this work already while EC2 creates the new volumes ({@link #advance}: a PV names a volume by id, whatever its
 * state, and nothing can attach it before the restart step); this step finishes what is left. Undo: each claim is
 * bound back to its old PV the same way, and the PVs zonemover made are deleted (Retain: volumes stay).
 */
final class RebindStep extends MigrationStep {

    RebindStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "rebind";
    }

    @Override
    Next next(MigrationContext ctx) {
        Optional<Next> pending = advance(ctx, services.cluster(), this);
        if (pending.isPresent()) {
            return pending.get();
        }
        audit(ctx, "bound", "claim" + (ctx.claimCount() == 1 ? " " : "s ") + String.join(", ",
                ctx.all(MigrationContext.CLAIM_NAME)) + " Bound to " + String.join(", ", ctx.all(NEW_PV)));
        return Next.DONE;
    }

    /** One action (for {@code step}) towards "every claim Bound to its new PV"; empty once they are. */
    static Optional<Next> advance(MigrationContext ctx, Cluster cluster, MigrationStep step) {
        for (int i = 0; i < ctx.claimCount(); i++) {
            Optional<Next> pending = bind(ctx, cluster, step, i, ctx.get(NEW_PV, i), true);
            if (pending.isPresent()) {
                return pending;
            }
        }
        return Optional.empty();
    }

    /** One action towards "claim i Bound to pvName"; empty once it is. */
    private static Optional<Next> bind(MigrationContext ctx, Cluster cluster, MigrationStep step, int i, String pvName,
                                       boolean forward) {
        ClaimRef ref = ctx.claimAt(i);
        Optional<Cluster.Claim> claim = cluster.claim(ref);
        // A PV made for an earlier attempt's volume, which ended in error (the restore made another): replaced.
        Optional<Cluster.Pv> stale = forward ? cluster.pv(pvName).filter(p -> p.volumeId() != null
                && !p.volumeId().equals(ctx.get(NEW_VOLUME, i))) : Optional.empty();
        if (claim.isPresent()) {
            Cluster.Claim current = claim.get();
            if (pvName.equals(current.volumeName()) && stale.isPresent()) {
                if (!current.deleting()) {
                    cluster.deleteClaim(ref);
                    step.audit(ctx, "deleted", "claim " + ref + " taken off " + pvName + ", whose volume "
                            + stale.get().volumeId() + " failed");
                    return Optional.of(Next.AGAIN);
                }
                step.report("waiting for claim " + ref + " to go");
                return Optional.of(Next.WAIT);
            }
            if (pvName.equals(current.volumeName())) {
                if ("Bound".equals(current.phase())) {
                    return Optional.empty();
                }
                List<String> warnings = cluster.claimWarnings(ref).stream()
                        .filter(w -> w.startsWith("VolumeMismatch") || w.startsWith("FailedBinding")).toList();
                if (!warnings.isEmpty() && forward) {
                    throw ZonemoverException.failed("claim " + ref + " cannot bind to " + pvName + ": "
                            + warnings.get(warnings.size() - 1), null);
                }
                step.report("waiting for claim " + ref + " to bind to " + pvName);
                return Optional.of(Next.WAIT);
            }
            if (current.deleting()) {
                step.report("waiting for claim " + ref + " (bound to " + current.volumeName() + ") to go");
                return Optional.of(Next.WAIT);
            }
            if (cluster.pod(ctx.namespace(), ctx.get(POD)).isPresent()) {
                throw ZonemoverException.failed("pod " + ctx.get(POD) + " exists again; refusing to delete the claim "
                        + "it uses", null);
            }
            cluster.deleteClaim(ref);
            step.audit(ctx, "deleted", "claim " + ref + " (bound to " + current.volumeName() + ") deleted; its PV is Retain");
            // Look again at once: with no pod using it, the claim is usually gone already.
            return Optional.of(Next.AGAIN);
        }
        Optional<Cluster.Pv> pv = cluster.pv(pvName);
        if (pv.isEmpty()) {
            if (!forward) {
                throw ZonemoverException.failed("old PV " + pvName + " is gone; its manifest is saved in the job "
                        + "checkpoint (`zonemover jobs show " + ctx.jobId() + "`)", null);
            }
            cluster.createStaticPv(new Cluster.StaticPv(pvName, ctx.get(NEW_VOLUME, i), ctx.get(TO_ZONE), ref,
                    ctx.get(ProtectStep.PV_MANIFEST, i), Map.of("zonemover.io/job", ctx.jobId(),
                    "zonemover.io/source-pv", ctx.get(OLD_PV, i))));
            step.audit(ctx, "created", "PV " + pvName + " for " + ctx.get(NEW_VOLUME, i) + " with nodeAffinity "
                    + "topology.kubernetes.io/zone=" + ctx.get(TO_ZONE) + ", reserved for " + ref);
            return Optional.of(Next.CHECKPOINT);
        }
        if (pv.get().deleting()) {
            step.report("waiting for PV " + pvName + " to go");
            return Optional.of(Next.WAIT);
        }
        if (stale.isPresent()) {
            if (!"Retain".equals(pv.get().reclaimPolicy())) {
                cluster.setReclaimPolicy(pvName, "Retain");
            }
            cluster.deletePv(pvName);
            step.audit(ctx, "deleted", "PV " + pvName + " deleted: its volume " + pv.get().volumeId()
                    + " failed (Retain: nothing is deleted in EC2)");
            return Optional.of(Next.CHECKPOINT);
        }
        if (pv.get().claimUid() != null && !"Bound".equals(pv.get().phase())) {
            // Reserved for an earlier incarnation of the claim: free it for the one we are about to create.
            cluster.clearClaimRef(pvName);
            return Optional.of(Next.CHECKPOINT);
        }
        cluster.createClaimBoundTo(ctx.get(ProtectStep.CLAIM_MANIFEST, i), pvName);
        step.audit(ctx, "created", "claim " + ref + " created again with volumeName=" + pvName);
        // Look again at once: a claim naming its PV is usually bound by the time it is read back.
        return Optional.of(Next.AGAIN);
    }

    @Override
    Next undo(MigrationContext ctx) {
        if (!ctx.has(QuiesceStep.STARTED)) {
            return Next.DONE;
        }
        Cluster cluster = services.cluster();
        for (int i = 0; i < ctx.claimCount(); i++) {
            String newPv = ctx.get(NEW_PV, i);
            Optional<Cluster.Pv> pv = newPv == null ? Optional.empty() : cluster.pv(newPv);
            if (pv.isPresent() && !pv.get().deleting() && !"Retain".equals(pv.get().reclaimPolicy())) {
                cluster.setReclaimPolicy(newPv, "Retain");
                return Next.CHECKPOINT;
            }
        }
        for (int i = 0; i < ctx.claimCount(); i++) {
            Optional<Next> pending = bind(ctx, cluster, this, i, ctx.get(OLD_PV, i), false);
            if (pending.isPresent()) {
                return pending.get();
            }
        }
        for (int i = 0; i < ctx.claimCount(); i++) {
            String newPv = ctx.get(NEW_PV, i);
            Optional<Cluster.Pv> pv = newPv == null ? Optional.empty() : cluster.pv(newPv);
            if (pv.isPresent() && !pv.get().deleting()) {
                if (!"Retain".equals(pv.get().reclaimPolicy())) {
                    cluster.setReclaimPolicy(newPv, "Retain");
                }
                cluster.deletePv(newPv);
                audit(ctx, "deleted", "PV " + newPv + " deleted (Retain: volume " + ctx.get(NEW_VOLUME, i) + " is kept)");
                return Next.CHECKPOINT;
            }
        }
        return Next.DONE;
    }
}
