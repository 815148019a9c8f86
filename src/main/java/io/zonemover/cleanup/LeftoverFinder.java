package io.zonemover.cleanup;

import io.zonemover.aws.BlockStore;
import io.zonemover.cleanup.CleanupPlan.Leftover;
import io.zonemover.cleanup.CleanupPlan.Refusal;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.Tags;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds what completed moves kept and decides, for each source volume, whether it may go now; reads only.
 *
 * <p>A move is taken as complete from the cloud and the cluster alone, so no state database is needed: the
 * finish step tags the source volume {@code zonemover.io/superseded-by=NEW} only after the claim is Bound to
 * the new volume and the pod is Ready on it. That is checked again now: the new volume exists and is in use,
 * the claim it names is Bound to a PV on it, and the claim's pod is Ready. The retention is measured against
 * EC2's clock from the start of the move's last snapshot, which the pod came up after (within the move's
 * downtime): pods' own timestamps come from another clock, which may disagree with EC2's.
 */
public final class LeftoverFinder {

    private final Cluster cluster;
    private final BlockStore blockStore;

    public LeftoverFinder(Cluster cluster, BlockStore blockStore) {
        this.cluster = cluster;
        this.blockStore = blockStore;
    }

    /**
     * @param volumeIds only these volumes (a volume EC2 no longer knows is left out: already deleted), or
     *                  empty for every volume tagged {@code zonemover.io/superseded-by}
     */
    public CleanupPlan plan(Duration olderThan, List<String> volumeIds) {
        Instant now = blockStore.now();
        List<EbsVolume> volumes = new ArrayList<>(volumeIds.isEmpty()
                ? blockStore.volumesTagged(Tags.SUPERSEDED_BY, "*") : blockStore.volumes(volumeIds));
        volumes.sort(Comparator.comparing(EbsVolume::id));
        List<Cluster.Pv> pvs = volumes.isEmpty() ? List.of() : cluster.pvs();
        List<Leftover> leftovers = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        for (EbsVolume volume : volumes) {
            List<String> why = refusals(volume, pvs);
            if (!why.isEmpty()) {
                refusals.add(new Refusal(volume.id(), String.join("; ", why)));
            } else if (volume.usable()) {
                leftovers.add(leftover(volume, pvs, olderThan, now));
            }
        }
        return new CleanupPlan(olderThan, now, List.copyOf(leftovers), List.copyOf(refusals));
    }

    /**
     * Why this volume must never be deleted by cleanup, whatever the retention and the user's answer; empty when
     * nothing forbids it. A PV naming the volume forbids it unless the PV is Released: that is the old PV a move
     * leaves (Retain, its claim now bound elsewhere), which can never bind again by itself.
     */
    static List<String> refusals(EbsVolume volume, List<Cluster.Pv> pvs) {
        List<String> why = new ArrayList<>();
        if (!volume.tags().containsKey(Tags.SUPERSEDED_BY)) {
            why.add("not zonemover's: it has no " + Tags.SUPERSEDED_BY + " tag");
        }
        if (!volume.attachedInstanceIds().isEmpty() || "in-use".equals(volume.state())) {
            why.add("attached (" + volume.state() + (volume.attachedInstanceIds().isEmpty() ? ""
                    : " to " + String.join(", ", volume.attachedInstanceIds())) + ")");
        }
        pvs.stream().filter(pv -> volume.id().equals(pv.volumeId()) && !"Released".equals(pv.phase()))
                .forEach(pv -> why.add("bound to PV " + pv.name() + " (" + pv.phase() + ")"));
        return why;
    }

    private Leftover leftover(EbsVolume volume, List<Cluster.Pv> pvs, Duration olderThan, Instant now) {
        String newVolumeId = volume.tags().get(Tags.SUPERSEDED_BY);
        String jobId = volume.tags().get(Tags.JOB);
        List<EbsSnapshot> snapshots = jobId == null ? List.of() : blockStore.snapshotsTagged(Tags.JOB, jobId).stream()
                .filter(s -> volume.id().equals(s.tags().get(Tags.SOURCE_VOLUME)) && !"pending".equals(s.state()))
                .toList();
        Instant movedAt = snapshots.stream().map(EbsSnapshot::startTime).filter(t -> t != null)
                .max(Comparator.naturalOrder()).orElse(null);
        List<String> oldPvs = pvs.stream().filter(pv -> volume.id().equals(pv.volumeId())).map(Cluster.Pv::name)
                .sorted().toList();
        Bound bound = bound(newVolumeId);
        String wait = bound.problem != null ? bound.problem : retention(volume, movedAt, olderThan, now);
        return new Leftover(volume.id(), volume.zone(), volume.type(), volume.sizeGiB(), newVolumeId, jobId,
                bound.claim, bound.pod, snapshots, movedAt, wait, oldPvs);
    }

    /** The claim and pod now on the new volume, or why the move cannot be taken as complete. */
    private Bound bound(String newVolumeId) {
        Optional<EbsVolume> fresh = blockStore.volume(newVolumeId);
        if (fresh.isEmpty()) {
            return new Bound(null, null, "its new volume " + newVolumeId + " does not exist");
        }
        if (!"in-use".equals(fresh.get().state())) {
            return new Bound(null, null, "its new volume " + newVolumeId + " is " + fresh.get().state() + ", not in use");
        }
        String claimTag = fresh.get().tags().get(Tags.CLAIM);
        if (claimTag == null) {
            return new Bound(null, null, "its new volume " + newVolumeId + " names no claim (" + Tags.CLAIM + ")");
        }
        ClaimRef ref = ClaimRef.parse(claimTag);
        Optional<Cluster.Claim> claim = cluster.claim(ref);
        if (claim.isEmpty() || !"Bound".equals(claim.get().phase())) {
            return new Bound(ref, null, "claim " + ref + " is " + claim.map(Cluster.Claim::phase).orElse("gone"));
        }
        Optional<Cluster.Pv> pv = cluster.pv(claim.get().volumeName());
        if (pv.isEmpty() || !newVolumeId.equals(pv.get().volumeId())) {
            return new Bound(ref, null, "claim " + ref + " is bound to PV " + claim.get().volumeName() + " on "
                    + pv.map(Cluster.Pv::volumeId).orElse("nothing") + ", not on " + newVolumeId);
        }
        Optional<Cluster.Pod> pod = cluster.statefulSetOwning(ref).stream()
                .flatMap(sts -> cluster.podsOf(ref.namespace(), sts.name()).stream())
                .filter(p -> p.claims().contains(ref.name())).findFirst();
        if (pod.isEmpty()) {
            return new Bound(ref, null, "no pod uses claim " + ref);
        }
        if (!pod.get().ready()) {
            return new Bound(ref, pod.get().name(), "pod " + pod.get().name() + " is not Ready");
        }
        return new Bound(ref, pod.get().name(), null);
    }

    /** Why the retention has not passed yet, or null when it has. */
    private static String retention(EbsVolume volume, Instant movedAt, Duration olderThan, Instant now) {
        if (volume.tags().containsKey(Tags.CLEANUP_STARTED)) {
            return null; // an earlier run found the retention passed and began; finish what it started
        }
        if (movedAt == null) {
            return "no snapshot of the move is left to date it by; check it and delete it by hand";
        }
        Duration age = Duration.between(movedAt, now);
        if (age.compareTo(olderThan) < 0) {
            return "retention: moved " + CleanupPlan.span(age) + " ago, due in "
                    + CleanupPlan.span(olderThan.minus(age));
        }
        return null;
    }

    private record Bound(ClaimRef claim, String pod, String problem) {
    }
}
