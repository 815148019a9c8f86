package io.zonemover.diagnose;

import io.zonemover.diagnose.ClusterFacts.Mount;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a pod's volumes are, taken together: the pod is the unit of a move, so every EBS claim of it
 * moves to one zone, and a volume of another driver pinned to a zone pins the whole pod.
 */
record PodVolumes(String namespace, List<Mount> mounts) {

    PodVolumes {
        mounts = List.copyOf(mounts);
    }

    /** The claims bound to a volume pinned to a zone (EBS or not), in volume order. */
    List<Mount> zonal() {
        return mounts.stream().filter(Mount::zonal).toList();
    }

    /** The claims bound to an EBS volume with a zone: what a move takes. */
    List<Mount> ebs() {
        return mounts.stream().filter(m -> m.zonal() && m.volume().ebs()).toList();
    }

    /** The claims bound to a volume of another driver pinned to a zone: zonemover cannot move them. */
    List<Mount> pinned() {
        return mounts.stream().filter(m -> m.zonal() && !m.volume().ebs()).toList();
    }

    /** The zones of the zonal volumes, in volume order. */
    Set<String> zones() {
        Set<String> out = new LinkedHashSet<>();
        zonal().forEach(m -> out.add(m.volume().zone()));
        return out;
    }

    /** Bytes of the zonal volumes per zone, in volume order. */
    Map<String, Long> bytesPerZone() {
        Map<String, Long> out = new LinkedHashMap<>();
        zonal().forEach(m -> out.merge(m.volume().zone(), m.volume().sizeBytes(), Long::sum));
        return out;
    }

    /** Some claim of the pod belongs to an interrupted move: only adopting that move may touch it. */
    boolean underMove(Findings soFar) {
        return mounts.stream().anyMatch(m -> soFar.underMove(namespace, m.claimName())
                || m.claim() != null && m.claim().migrationJob() != null);
    }

    /** Some claim of the pod is caught in a zone outage: its rescue is from snapshots, not a move. */
    boolean inOutage(Findings soFar) {
        return mounts.stream().anyMatch(m -> soFar.inOutage(namespace, m.claimName()));
    }

    /** The claims and their volumes, for a finding's {@code claims}. */
    static List<Finding.ClaimRef> refs(List<Mount> mounts) {
        List<Finding.ClaimRef> out = new ArrayList<>(mounts.size());
        mounts.forEach(m -> out.add(m.ref()));
        return out;
    }
}
