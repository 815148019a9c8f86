package io.zonemover.fleet;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.ZonemoverException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the selected StatefulSets into a {@link FleetState}: per pod its EBS claims and where their volumes
 * are (one DescribeVolumes for all of them), what a pod asks of a node, the disruption budget, and the
 * nodes. Read only.
 */
public final class FleetReader {

    private final Cluster cluster;
    private final BlockStore blockStore;

    public FleetReader(Cluster cluster, BlockStore blockStore) {
        this.cluster = cluster;
        this.blockStore = blockStore;
    }

    /** The StatefulSets a selection names: NAMESPACE/NAME ones, or those of the namespaces matching the selector. */
    public FleetState read(FleetPlan.Selection selection) {
        List<Cluster.StatefulSet> sets = new ArrayList<>();
        if (!selection.statefulSets().isEmpty()) {
            sets.addAll(named(selection.statefulSets()));
        } else if (selection.allNamespaces()) {
            sets.addAll(cluster.statefulSets(null, selection.labelSelector()));
        } else {
            for (String namespace : selection.namespaces()) {
                sets.addAll(cluster.statefulSets(namespace, selection.labelSelector()));
            }
        }
        return state(sets);
    }

    /** The StatefulSets named NAMESPACE/NAME; a missing one is bad input. */
    public FleetState readSets(Collection<String> refs) {
        return state(named(refs));
    }

    private List<Cluster.StatefulSet> named(Collection<String> refs) {
        List<Cluster.StatefulSet> sets = new ArrayList<>();
        for (String ref : refs) {
            ClaimRef r = ClaimRef.parse(ref);
            sets.add(cluster.statefulSet(r.namespace(), r.name()).orElseThrow(() ->
                    ZonemoverException.badInput("StatefulSet " + ref + " not found")));
        }
        return sets;
    }

    /** A claim of a pod as found in the cluster, before EC2 says where its volume is. */
    private record Found(int pod, String claim, String volumeId) {
    }

    private FleetState state(List<Cluster.StatefulSet> sets) {
        Map<Cluster.StatefulSet, List<Found>> claims = new LinkedHashMap<>();
        List<String> volumeIds = new ArrayList<>();
        for (Cluster.StatefulSet sts : sets) {
            if (sts.deleting()) {
                continue;
            }
            List<Found> found = new ArrayList<>();
            for (int ordinal = 0; ordinal < sts.replicas(); ordinal++) {
                for (String template : sts.claimTemplates()) {
                    String name = sts.claimName(template, ordinal);
                    int pod = ordinal;
                    ebsVolume(new ClaimRef(sts.namespace(), name)).ifPresent(id -> found.add(new Found(pod, name, id)));
                }
            }
            found.forEach(f -> volumeIds.add(f.volumeId()));
            claims.put(sts, found);
        }
        Map<String, EbsVolume> volumes = new LinkedHashMap<>();
        if (!volumeIds.isEmpty()) {
            blockStore.volumes(volumeIds).forEach(v -> volumes.put(v.id(), v));
        }
        List<FleetState.SetState> out = new ArrayList<>();
        claims.forEach((sts, found) -> out.add(set(sts, found, volumes)));
        return new FleetState(out, cluster.placementNodes(), blockStore.zones());
    }

    private FleetState.SetState set(Cluster.StatefulSet sts, List<Found> found, Map<String, EbsVolume> volumes) {
        Map<String, Cluster.Pod> pods = new LinkedHashMap<>();
        cluster.podsOf(sts.namespace(), sts.name()).forEach(p -> pods.put(p.name(), p));
        List<FleetState.PodState> podStates = new ArrayList<>();
        for (int ordinal = 0; ordinal < sts.replicas(); ordinal++) {
            int o = ordinal;
            List<FleetState.ClaimState> podClaims = found.stream().filter(f -> f.pod() == o)
                    .filter(f -> volumes.containsKey(f.volumeId()))
                    .map(f -> new FleetState.ClaimState(f.claim(), f.volumeId(), volumes.get(f.volumeId()).zone(),
                            volumes.get(f.volumeId()).sizeGiB()))
                    .toList();
            if (podClaims.isEmpty()) {
                continue;
            }
            Cluster.Pod pod = pods.get(sts.name() + "-" + ordinal);
            podStates.add(new FleetState.PodState(sts.name() + "-" + ordinal, ordinal, podClaims,
                    pod == null ? null : pod.nodeName(), pod != null && pod.ready() && !pod.deleting()));
        }
        return new FleetState.SetState(sts.namespace(), sts.name(), sts.replicas(), cluster.podNeeds(sts), podStates,
                cluster.disruptionBudget(sts).orElse(null));
    }

    /** The EBS volume behind a Bound claim, if it is one. */
    private Optional<String> ebsVolume(ClaimRef ref) {
        return cluster.claim(ref).filter(c -> c.volumeName() != null && !c.deleting())
                .flatMap(c -> cluster.pv(c.volumeName())).filter(pv -> pv.ebs() && pv.volumeId() != null)
                .map(Cluster.Pv::volumeId);
    }
}
