package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ZonemoverException;

import java.util.List;
import java.util.Optional;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 7: points the claim at the new volume. The old claim is deleted (its PV is Retain, so the volume
 * stays), a static PV for the new volume is created with required nodeAffinity on the target zone and a
 * claimRef without uid, and the claim is created again with the same spec and {@code volumeName} set.
 * No StatefulSet exists during this step, so no controller can race us to an empty claim.
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
        Cluster cluster = services.cluster();
        String newPv = ctx.get(NEW_PV);
        Optional<Cluster.Claim> claim = cluster.claim(ctx.claim());
        if (claim.isPresent()) {
            Cluster.Claim current = claim.get();
            if (newPv.equals(current.volumeName())) {
                if ("Bound".equals(current.phase())) {
                    audit(ctx, "bound", "claim " + ctx.claim() + " is Bound to " + newPv + " (" + ctx.get(NEW_VOLUME) + ")");
                    return Next.DONE;
                }
                List<String> warnings = cluster.claimWarnings(ctx.claim()).stream()
                        .filter(w -> w.startsWith("VolumeMismatch") || w.startsWith("FailedBinding")).toList();
                if (!warnings.isEmpty()) {
                    throw ZonemoverException.failed("claim " + ctx.claim() + " cannot bind to " + newPv + ": "
                            + warnings.get(warnings.size() - 1), null);
                }
                report("waiting for claim " + ctx.claim() + " to bind to " + newPv);
                return Next.WAIT;
            }
            if (current.deleting()) {
                report("waiting for the old claim " + ctx.claim() + " to go");
                return Next.WAIT;
            }
            if (cluster.pod(ctx.claim().namespace(), ctx.get(POD)).isPresent()) {
                throw ZonemoverException.failed("pod " + ctx.get(POD) + " exists again; refusing to delete the claim "
                        + "it uses", null);
            }
            cluster.deleteClaim(ctx.claim());
            audit(ctx, "deleted", "old claim " + ctx.claim() + " deleted (PV " + ctx.get(OLD_PV) + " is Retain: "
                    + ctx.get(OLD_VOLUME) + " stays)");
            return Next.WAIT;
        }
        Optional<Cluster.Pv> pv = cluster.pv(newPv);
        if (pv.isEmpty()) {
            Cluster.Pv old = cluster.pv(ctx.get(OLD_PV)).orElseGet(() -> savedPv(ctx));
            cluster.createStaticPv(new Cluster.StaticPv(newPv, ctx.get(NEW_VOLUME), ctx.get(TO_ZONE), old.capacity(),
                    old.storageClass(), old.accessModes(), old.volumeMode(), old.fsType(), old.mountOptions(),
                    ctx.claim(), java.util.Map.of("zonemover.io/job", ctx.jobId(), "zonemover.io/source-pv", old.name())));
            audit(ctx, "created", "PV " + newPv + " for " + ctx.get(NEW_VOLUME) + " with nodeAffinity "
                    + "topology.kubernetes.io/zone=" + ctx.get(TO_ZONE) + ", reserved for " + ctx.claim());
            return Next.CHECKPOINT;
        }
        if (pv.get().claimUid() != null && !"Bound".equals(pv.get().phase())) {
            // Reserved for an earlier incarnation of the claim: free it for the one we are about to create.
            cluster.clearClaimRef(newPv);
            return Next.CHECKPOINT;
        }
        cluster.createClaimBoundTo(ctx.get(CLAIM_MANIFEST), newPv);
        audit(ctx, "created", "claim " + ctx.claim() + " created again with volumeName=" + newPv);
        return Next.WAIT;
    }

    private Cluster.Pv savedPv(MigrationContext ctx) {
        throw ZonemoverException.failed("old PV " + ctx.get(OLD_PV) + " disappeared; its saved manifest is in the job "
                + "checkpoint (`zonemover jobs show " + ctx.jobId() + "`)", null);
    }
}
