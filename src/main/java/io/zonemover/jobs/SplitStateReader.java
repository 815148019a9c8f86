package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one StatefulSet as the split planner sees it: per pod its EBS claims with their volumes' zones and
 * sizes (as EC2 says), what a pod asks of a node, the nodes and the region's zones. A claim that is not Bound
 * to an EBS volume is left out; the planner and the job's preflight refuse a pod without any.
 */
final class SplitStateReader {

    private record Bound(String claim, String volumeId) {
    }

    private SplitStateReader() {
    }

    static FleetState read(Cluster cluster, BlockStore blockStore, String namespace, String name) {
        Cluster.StatefulSet sts = cluster.statefulSet(namespace, name).filter(s -> !s.deleting()).orElseThrow(() ->
                ZonemoverException.badInput("StatefulSet " + namespace + "/" + name + " not found"));
        Map<Integer, List<Bound>> bound = new HashMap<>();
        List<String> volumeIds = new ArrayList<>();
        for (int ordinal = 0; ordinal < sts.replicas(); ordinal++) {
            List<Bound> claims = new ArrayList<>();
            for (String template : sts.claimTemplates()) {
                String claimName = sts.claimName(template, ordinal);
                Optional<Cluster.Pv> pv = cluster.claim(new ClaimRef(namespace, claimName))
                        .filter(c -> "Bound".equals(c.phase()) && c.volumeName() != null)
                        .flatMap(c -> cluster.pv(c.volumeName())).filter(v -> v.ebs() && v.volumeId() != null);
                pv.ifPresent(v -> {
                    claims.add(new Bound(claimName, v.volumeId()));
                    volumeIds.add(v.volumeId());
                });
            }
            bound.put(ordinal, claims);
        }
        Map<String, EbsVolume> volumes = new HashMap<>();
        blockStore.volumes(volumeIds).forEach(v -> volumes.put(v.id(), v));
        List<FleetState.PodState> pods = new ArrayList<>();
        for (int ordinal = 0; ordinal < sts.replicas(); ordinal++) {
            List<FleetState.ClaimState> claims = bound.get(ordinal).stream().filter(b -> volumes.containsKey(b.volumeId()))
                    .map(b -> new FleetState.ClaimState(b.claim(), b.volumeId(), volumes.get(b.volumeId()).zone(),
                            volumes.get(b.volumeId()).sizeGiB())).toList();
            Optional<Cluster.Pod> pod = cluster.pod(namespace, name + "-" + ordinal);
            pods.add(new FleetState.PodState(name + "-" + ordinal, ordinal, claims,
                    pod.map(Cluster.Pod::nodeName).orElse(null), pod.map(Cluster.Pod::ready).orElse(false)));
        }
        FleetState.SetState set = new FleetState.SetState(namespace, name, sts.replicas(), cluster.podNeeds(sts), pods,
                null);
        return new FleetState(List.of(set), cluster.placementNodes(), blockStore.zones());
    }
}
