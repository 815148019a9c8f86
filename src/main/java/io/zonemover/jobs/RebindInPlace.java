package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.ZonemoverException;

import java.util.List;
import java.util.Optional;

import static io.zonemover.jobs.SplitContext.OLD_PV;

/**
 * Carries a claim whose volume is already in the new pod's zone: the same PV and volume, bound to the new
 * claim name, nothing copied. The old claim is deleted (its PV is Retain, so the PV goes Released and the
 * volume stays), the PV is reserved for the new claim by a claimRef without uid, and the new claim is made
 * from the old one's manifest with {@code volumeName} set, so nothing else can take the volume in between.
 */
final class RebindInPlace {

    private final MigrationServices services;
    private final MigrationStep step;

    RebindInPlace(MigrationServices services, MigrationStep step) {
        this.services = services;
        this.step = step;
    }

    /** One action towards "the new claim is Bound to the old PV"; empty once it is. */
    Optional<MigrationStep.Next> next(SplitContext s, int p, int c) {
        Cluster cluster = services.cluster();
        ClaimRef target = s.newClaim(p, c);
        String pvName = s.get(OLD_PV, p, c);
        Optional<Cluster.Claim> created = cluster.claim(target);
        if (created.isPresent()) {
            return bound(step, cluster, created.get(), pvName);
        }
        ClaimRef old = s.oldClaim(p, c);
        Optional<Cluster.Claim> previous = cluster.claim(old);
        if (previous.isPresent()) {
            if (previous.get().deleting()) {
                step.report("waiting for claim " + old + " to go");
                return Optional.of(MigrationStep.Next.WAIT);
            }
            if (!pvName.equals(previous.get().volumeName())) {
                throw ZonemoverException.failed("claim " + old + " is bound to " + previous.get().volumeName()
                        + ", not to " + pvName + " as when the split began", null);
            }
            if (cluster.pod(s.namespace(), s.oldPod(p)).isPresent()) {
                throw ZonemoverException.failed("pod " + s.oldPod(p) + " exists again; refusing to delete the claim "
                        + "it uses", null);
            }
            cluster.deleteClaim(old);
            step.audit(s.ctx, "deleted", "claim " + old + " deleted; its PV " + pvName + " is Retain, so volume "
                    + s.get(SplitContext.OLD_VOLUME, p, c) + " stays for " + target);
            return Optional.of(MigrationStep.Next.WAIT);
        }
        Cluster.Pv pv = cluster.pv(pvName).orElseThrow(() -> ZonemoverException.failed("PV " + pvName
                + " is gone; its manifest is in the job's checkpoint", null));
        if (!target.namespace().equals(pv.claimNamespace()) || !target.name().equals(pv.claimName())) {
            cluster.reservePv(pvName, target);
            step.audit(s.ctx, "reserved", "PV " + pvName + " reserved for claim " + target);
            return Optional.of(MigrationStep.Next.CHECKPOINT);
        }
        cluster.createClaimAs(s.get(CarryStep.CLAIM_MANIFEST, p, c), target, pvName);
        step.audit(s.ctx, "created", "claim " + target + " created with volumeName=" + pvName);
        return Optional.of(MigrationStep.Next.WAIT);
    }

    /** Empty once {@code claim} is Bound to {@code pvName}; waits while it binds; fails if it cannot. */
    static Optional<MigrationStep.Next> bound(MigrationStep step, Cluster cluster, Cluster.Claim claim, String pvName) {
        if (!pvName.equals(claim.volumeName())) {
            throw ZonemoverException.failed("claim " + claim.ref() + " exists, bound to " + claim.volumeName()
                    + " rather than " + pvName + "; something other than this split made it", null);
        }
        if ("Bound".equals(claim.phase())) {
            return Optional.empty();
        }
        List<String> warnings = cluster.claimWarnings(claim.ref()).stream()
                .filter(w -> w.startsWith("VolumeMismatch") || w.startsWith("FailedBinding")).toList();
        if (!warnings.isEmpty()) {
            throw ZonemoverException.failed("claim " + claim.ref() + " cannot bind to " + pvName + ": "
                    + warnings.get(warnings.size() - 1), null);
        }
        step.report("waiting for claim " + claim.ref() + " to bind to " + pvName);
        return Optional.of(MigrationStep.Next.WAIT);
    }
}
