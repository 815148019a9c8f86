package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.SplitContext.ClaimKey;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.zonemover.jobs.SplitContext.OLD_PV;
import static io.zonemover.jobs.SplitContext.OLD_VOLUME;

/**
 * Carries a claim whose volume is in another zone than the new pod's: a snapshot of the volume once it is
 * detached (so it holds every write the pod made), a volume restored from it in the new zone with the old
 * one's attributes and tags, a static PV for it with required nodeAffinity on that zone and a claimRef to the
 * new claim, and the new claim bound to it. Then the old claim is deleted; its PV is Retain, so the old volume
 * is kept. Snapshots are found again by tag, volumes by ClientToken and tag, so a resumed run makes no second.
 */
final class CopyToZone {

    static final ClaimKey SNAPSHOT = new ClaimKey("snapshotId");
    static final ClaimKey SNAPSHOT_ATTEMPT = new ClaimKey("snapshotAttempt");
    static final ClaimKey NEW_VOLUME = new ClaimKey("newVolumeId");
    static final ClaimKey VOLUME_ATTEMPT = new ClaimKey("volumeAttempt");

    private final MigrationServices services;
    private final MigrationStep step;

    CopyToZone(MigrationServices services, MigrationStep step) {
        this.services = services;
        this.step = step;
    }

    /** The copy's static PV: the new claim's name and the job's. */
    static String newPvName(SplitContext s, int p, int c) {
        return s.newClaim(p, c).name() + "-" + s.jobId().replace("zm-", "");
    }

    /** One action towards "the new claim is Bound to a copy of the volume in the new zone"; empty once it is. */
    Optional<MigrationStep.Next> next(SplitContext s, int p, int c) {
        if (!s.has(SNAPSHOT, p, c)) {
            return Optional.of(snapshot(s, p, c));
        }
        Optional<MigrationStep.Next> snapshotPending = snapshotCompleted(s, p, c);
        if (snapshotPending.isPresent()) {
            return snapshotPending;
        }
        if (!s.has(NEW_VOLUME, p, c)) {
            return Optional.of(restore(s, p, c));
        }
        Optional<MigrationStep.Next> volumePending = volumeAvailable(s, p, c);
        if (volumePending.isPresent()) {
            return volumePending;
        }
        return bind(s, p, c);
    }

    private MigrationStep.Next snapshot(SplitContext s, int p, int c) {
        String volumeId = s.get(OLD_VOLUME, p, c);
        EbsVolume volume = services.blockStore().volume(volumeId).orElseThrow(() ->
                ZonemoverException.failed("volume " + volumeId + " disappeared", null));
        if (!volume.available() || services.cluster().attachedInCluster(List.of(s.get(OLD_PV, p, c)))) {
            // Detached means unmounted: only then does a snapshot hold every write the pod made.
            step.report("waiting for " + volumeId + " to detach (EC2 state " + volume.state() + ")");
            return MigrationStep.Next.WAIT;
        }
        int attempt = (int) s.getLong(SNAPSHOT_ATTEMPT, p, c, 1);
        Optional<String> id = Snapshots.findOrTake(services.blockStore(), s.jobId(), volumeId, s.oldClaim(p, c),
                FinalSnapshotStep.PHASE, attempt);
        if (id.isEmpty()) {
            step.report("EC2 limits snapshots of " + volumeId + " for now; asking again");
            return MigrationStep.Next.WAIT;
        }
        s.put(SNAPSHOT, p, c, id.get());
        step.audit(s.ctx, "snapshot", "snapshot " + id.get() + " of " + volumeId + ", detached since " + s.oldPod(p)
                + " stopped");
        return MigrationStep.Next.CHECKPOINT;
    }

    private Optional<MigrationStep.Next> snapshotCompleted(SplitContext s, int p, int c) {
        String id = s.get(SNAPSHOT, p, c);
        Optional<EbsSnapshot> snapshot = services.blockStore().snapshot(id);
        if (snapshot.isPresent() && snapshot.get().failed()) {
            int attempt = (int) s.getLong(SNAPSHOT_ATTEMPT, p, c, 1);
            if (attempt >= FinalSnapshotStep.MAX_ATTEMPTS) {
                throw ZonemoverException.failed("snapshot of " + s.get(OLD_VOLUME, p, c) + " failed " + attempt
                        + " times (last: " + id + ": " + snapshot.get().stateMessage() + ")", null);
            }
            step.audit(s.ctx, "failed", "snapshot " + id + " ended in error; taking another");
            s.put(SNAPSHOT_ATTEMPT, p, c, attempt + 1);
            s.remove(SNAPSHOT, p, c);
            return Optional.of(MigrationStep.Next.CHECKPOINT);
        }
        if (snapshot.isEmpty() || !snapshot.get().completed()) {
            step.report("snapshot " + id + " " + snapshot.map(x -> x.state() + " " + x.progress()).orElse("not visible yet"));
            return Optional.of(MigrationStep.Next.WAIT);
        }
        return Optional.empty();
    }

    private MigrationStep.Next restore(SplitContext s, int p, int c) {
        int attempt = (int) s.getLong(VOLUME_ATTEMPT, p, c, 1);
        String token = s.jobId() + "-split-" + p + "-" + c + "-" + attempt;
        Optional<EbsVolume> earlier = services.blockStore().volumesTagged(Tags.JOB, s.jobId()).stream()
                .filter(EbsVolume::usable).filter(v -> token.equals(v.tags().get(Snapshots.ATTEMPT))).findFirst();
        String id;
        if (earlier.isPresent()) {
            id = earlier.get().id();
        } else {
            String oldId = s.get(OLD_VOLUME, p, c);
            EbsVolume source = services.blockStore().volume(oldId).orElseThrow(() ->
                    ZonemoverException.failed("volume " + oldId + " disappeared", null));
            Map<String, String> tags = new LinkedHashMap<>(Tags.forRestoredVolume(source.tags(), s.jobId(), oldId,
                    s.newClaim(p, c), newPvName(s, p, c)));
            tags.put(Snapshots.ATTEMPT, token);
            id = services.blockStore().createVolume(s.get(SNAPSHOT, p, c), s.toZone(p), source, tags, token);
        }
        s.put(NEW_VOLUME, p, c, id);
        step.audit(s.ctx, earlier.isPresent() ? "found" : "created", "volume " + id + " in " + s.toZone(p) + " from "
                + s.get(SNAPSHOT, p, c) + " for " + s.newClaim(p, c));
        return MigrationStep.Next.CHECKPOINT;
    }

    private Optional<MigrationStep.Next> volumeAvailable(SplitContext s, int p, int c) {
        String id = s.get(NEW_VOLUME, p, c);
        Optional<EbsVolume> volume = services.blockStore().volume(id);
        if (volume.isPresent() && !volume.get().usable()) {
            int attempt = (int) s.getLong(VOLUME_ATTEMPT, p, c, 1);
            if (attempt >= RestoreStep.MAX_ATTEMPTS) {
                throw ZonemoverException.failed("could not create a volume in " + s.toZone(p) + " after " + attempt
                        + " attempts (last " + id + " ended " + volume.get().state() + ")", null);
            }
            step.audit(s.ctx, "failed", "volume " + id + " ended " + volume.get().state() + "; creating another");
            s.put(VOLUME_ATTEMPT, p, c, attempt + 1);
            s.remove(NEW_VOLUME, p, c);
            return Optional.of(MigrationStep.Next.CHECKPOINT);
        }
        if (volume.isEmpty() || !volume.get().available()) {
            step.report("volume " + id + " " + volume.map(EbsVolume::state).orElse("not visible yet"));
            return Optional.of(MigrationStep.Next.WAIT);
        }
        return Optional.empty();
    }

    /** The static PV, the new claim bound to it, then the old claim deleted (its volume kept: PV Retain). */
    private Optional<MigrationStep.Next> bind(SplitContext s, int p, int c) {
        Cluster cluster = services.cluster();
        ClaimRef target = s.newClaim(p, c);
        String pvName = newPvName(s, p, c);
        if (cluster.pv(pvName).isEmpty()) {
            cluster.createStaticPv(new Cluster.StaticPv(pvName, s.get(NEW_VOLUME, p, c), s.toZone(p), target,
                    s.get(CarryStep.PV_MANIFEST, p, c), Map.of(Tags.JOB, s.jobId(), "zonemover.io/source-pv",
                    s.get(OLD_PV, p, c))));
            step.audit(s.ctx, "created", "PV " + pvName + " for " + s.get(NEW_VOLUME, p, c) + " with nodeAffinity "
                    + "topology.kubernetes.io/zone=" + s.toZone(p) + ", reserved for " + target);
            return Optional.of(MigrationStep.Next.CHECKPOINT);
        }
        Optional<Cluster.Claim> created = cluster.claim(target);
        if (created.isEmpty()) {
            cluster.createClaimAs(s.get(CarryStep.CLAIM_MANIFEST, p, c), target, pvName);
            step.audit(s.ctx, "created", "claim " + target + " created with volumeName=" + pvName);
            return Optional.of(MigrationStep.Next.WAIT);
        }
        Optional<MigrationStep.Next> binding = RebindInPlace.bound(step, cluster, created.get(), pvName);
        if (binding.isPresent()) {
            return binding;
        }
        ClaimRef old = s.oldClaim(p, c);
        Optional<Cluster.Claim> previous = cluster.claim(old);
        if (previous.isPresent() && !previous.get().deleting()) {
            cluster.deleteClaim(old);
            step.audit(s.ctx, "deleted", "claim " + old + " deleted; its PV " + s.get(OLD_PV, p, c) + " is Retain, so "
                    + "volume " + s.get(OLD_VOLUME, p, c) + " is kept");
            return Optional.of(MigrationStep.Next.CHECKPOINT);
        }
        return Optional.empty();
    }
}
