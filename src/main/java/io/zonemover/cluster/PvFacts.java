package io.zonemover.cluster;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeSelectorRequirement;
import io.kubernetes.client.openapi.models.V1NodeSelectorTerm;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeSpec;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Volume;
import io.zonemover.domain.EbsVolumeId;
import io.zonemover.domain.Placement;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Facts read off Kubernetes objects: whether a PV is EBS, its volume id and zone (both PV shapes,
 * REFERENCE.md A.1), a node's zone, and the conversion of nodes and pods into {@link Placement} records.
 */
public final class PvFacts {

    public static final String EBS_CSI_DRIVER = "ebs.csi.aws.com";
    public static final String IN_TREE_PROVISIONER = "kubernetes.io/aws-ebs";
    public static final String ZONE_KEY = "topology.kubernetes.io/zone";
    public static final String EBS_CSI_ZONE_KEY = "topology.ebs.csi.aws.com/zone";
    public static final String BETA_ZONE_KEY = "failure-domain.beta.kubernetes.io/zone";

    private PvFacts() {
    }

    /** An EBS volume: CSI driver {@code ebs.csi.aws.com} or the in-tree {@code awsElasticBlockStore}. */
    public static boolean isEbs(V1PersistentVolume pv) {
        V1PersistentVolumeSpec spec = pv.getSpec();
        if (spec == null) {
            return false;
        }
        return spec.getAwsElasticBlockStore() != null
                || spec.getCsi() != null && EBS_CSI_DRIVER.equals(spec.getCsi().getDriver());
    }

    /** The parsed volume id (with the in-tree zone hint if any); empty when not EBS or unparseable. */
    public static Optional<EbsVolumeId> ebsVolumeId(V1PersistentVolume pv) {
        if (!isEbs(pv)) {
            return Optional.empty();
        }
        V1PersistentVolumeSpec spec = pv.getSpec();
        String raw = spec.getCsi() != null && EBS_CSI_DRIVER.equals(spec.getCsi().getDriver())
                ? spec.getCsi().getVolumeHandle() : spec.getAwsElasticBlockStore().getVolumeID();
        return EbsVolumeId.tryParse(raw);
    }

    /** The bare {@code vol-...} id; empty when not EBS. */
    public static Optional<String> volumeId(V1PersistentVolume pv) {
        return ebsVolumeId(pv).map(EbsVolumeId::id);
    }

    /**
     * The PV's zone: from required nodeAffinity on {@code topology.kubernetes.io/zone} or
     * {@code topology.ebs.csi.aws.com/zone} (or the beta key), else from the zone labels (GA, then beta),
     * else from an {@code aws://zone/} volume id. Empty when the PV names none.
     */
    public static Optional<String> zone(V1PersistentVolume pv) {
        V1PersistentVolumeSpec spec = pv.getSpec();
        if (spec != null && spec.getNodeAffinity() != null && spec.getNodeAffinity().getRequired() != null) {
            for (String key : List.of(ZONE_KEY, EBS_CSI_ZONE_KEY, BETA_ZONE_KEY)) {
                for (V1NodeSelectorTerm term : nullSafe(spec.getNodeAffinity().getRequired().getNodeSelectorTerms())) {
                    for (V1NodeSelectorRequirement r : nullSafe(term.getMatchExpressions())) {
                        if (key.equals(r.getKey()) && "In".equals(r.getOperator())
                                && r.getValues() != null && !r.getValues().isEmpty()) {
                            return Optional.of(r.getValues().get(0));
                        }
                    }
                }
            }
        }
        Map<String, String> labels = pv.getMetadata() == null ? null : pv.getMetadata().getLabels();
        if (labels != null) {
            for (String key : List.of(ZONE_KEY, BETA_ZONE_KEY)) {
                String value = labels.get(key);
                if (value != null && !value.isEmpty()) {
                    // Multi-zone labels use "__" between zones; the first is as good as any for a hint.
                    return Optional.of(value.split("__")[0]);
                }
            }
        }
        return ebsVolumeId(pv).flatMap(EbsVolumeId::availabilityZone);
    }

    /** A node's zone label: GA, then the EBS CSI key, then beta; null when it has none. */
    public static String nodeZone(V1Node node) {
        Map<String, String> labels = node.getMetadata() == null ? null : node.getMetadata().getLabels();
        if (labels == null) {
            return null;
        }
        for (String key : List.of(ZONE_KEY, EBS_CSI_ZONE_KEY, BETA_ZONE_KEY)) {
            String value = labels.get(key);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    public static boolean isReady(V1Node node) {
        if (node.getStatus() == null) {
            return false;
        }
        for (V1NodeCondition c : nullSafe(node.getStatus().getConditions())) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /** Succeeded and Failed pods hold no resources on their node. */
    public static boolean isTerminated(V1Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** The names of the claims a pod mounts, in volume order. */
    public static List<String> claimNames(V1Pod pod) {
        List<String> out = new ArrayList<>();
        if (pod.getSpec() != null) {
            for (V1Volume v : nullSafe(pod.getSpec().getVolumes())) {
                if (v.getPersistentVolumeClaim() != null && v.getPersistentVolumeClaim().getClaimName() != null) {
                    out.add(v.getPersistentVolumeClaim().getClaimName());
                }
            }
        }
        return out;
    }

    /** Placement records for every node, with the requests of the non-terminated pods bound to each. */
    public static List<Placement.Node> placementNodes(List<V1Node> nodes, List<V1Pod> pods) {
        Map<String, long[]> requested = new HashMap<>();
        for (V1Pod pod : pods) {
            String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (nodeName == null || isTerminated(pod)) {
                continue;
            }
            long[] r = requests(pod.getSpec());
            long[] sum = requested.computeIfAbsent(nodeName, n -> new long[2]);
            sum[0] += r[0];
            sum[1] += r[1];
        }
        List<Placement.Node> out = new ArrayList<>(nodes.size());
        for (V1Node node : nodes) {
            String name = node.getMetadata().getName();
            out.add(toPlacement(node, requested.getOrDefault(name, new long[2])));
        }
        return out;
    }

    /** One node as placement sees it, given what is already requested on it ({milli-cpu, bytes}). */
    public static Placement.Node toPlacement(V1Node node, long[] requested) {
        List<Placement.Taint> taints = new ArrayList<>();
        boolean unschedulable = false;
        if (node.getSpec() != null) {
            unschedulable = Boolean.TRUE.equals(node.getSpec().getUnschedulable());
            for (var t : nullSafe(node.getSpec().getTaints())) {
                taints.add(new Placement.Taint(t.getKey(), t.getValue(), t.getEffect()));
            }
        }
        Map<String, Quantity> allocatable = node.getStatus() == null ? null : node.getStatus().getAllocatable();
        long cpu = allocatable == null ? 0 : milli(allocatable.get("cpu"));
        long memory = allocatable == null ? 0 : units(allocatable.get("memory"));
        Map<String, String> labels = node.getMetadata().getLabels();
        return new Placement.Node(node.getMetadata().getName(), nodeZone(node), isReady(node), !unschedulable,
                taints, labels == null ? Map.of() : labels, cpu, memory, requested[0], requested[1]);
    }

    /** What a pod (or a StatefulSet's pod template) asks of a node. */
    public static Placement.PodNeeds needs(V1PodSpec spec) {
        if (spec == null) {
            return Placement.PodNeeds.of(0, 0);
        }
        long[] r = requests(spec);
        List<List<Placement.Requirement>> affinity = new ArrayList<>();
        if (spec.getAffinity() != null && spec.getAffinity().getNodeAffinity() != null
                && spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            for (V1NodeSelectorTerm term : nullSafe(spec.getAffinity().getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())) {
                List<Placement.Requirement> reqs = new ArrayList<>();
                for (V1NodeSelectorRequirement e : nullSafe(term.getMatchExpressions())) {
                    reqs.add(new Placement.Requirement(e.getKey(), e.getOperator(), e.getValues()));
                }
                affinity.add(reqs);
            }
        }
        List<Placement.Toleration> tolerations = new ArrayList<>();
        for (var t : nullSafe(spec.getTolerations())) {
            tolerations.add(new Placement.Toleration(t.getKey(), t.getOperator(), t.getValue(), t.getEffect()));
        }
        return new Placement.PodNeeds(r[0], r[1], spec.getNodeSelector(), affinity, tolerations);
    }

    /**
     * A pod's effective requests {milli-cpu, memory bytes}: the larger of the containers' sum and the
     * largest init container, plus pod overhead, as the scheduler computes them.
     */
    public static long[] requests(V1PodSpec spec) {
        long cpu = 0;
        long memory = 0;
        for (V1Container c : nullSafe(spec.getContainers())) {
            cpu += milli(request(c.getResources(), "cpu"));
            memory += units(request(c.getResources(), "memory"));
        }
        for (V1Container c : nullSafe(spec.getInitContainers())) {
            cpu = Math.max(cpu, milli(request(c.getResources(), "cpu")));
            memory = Math.max(memory, units(request(c.getResources(), "memory")));
        }
        if (spec.getOverhead() != null) {
            cpu += milli(spec.getOverhead().get("cpu"));
            memory += units(spec.getOverhead().get("memory"));
        }
        return new long[] {cpu, memory};
    }

    private static Quantity request(V1ResourceRequirements resources, String name) {
        if (resources == null) {
            return null;
        }
        if (resources.getRequests() != null && resources.getRequests().get(name) != null) {
            return resources.getRequests().get(name);
        }
        // A container with only a limit gets a request equal to it.
        return resources.getLimits() == null ? null : resources.getLimits().get(name);
    }

    /** A quantity in thousandths, rounded up (250m -> 250, 1 -> 1000). */
    public static long milli(Quantity q) {
        if (q == null) {
            return 0;
        }
        return q.getNumber().multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    /** A quantity in whole units, rounded up (1Gi -> 1073741824). */
    public static long units(Quantity q) {
        if (q == null) {
            return 0;
        }
        return q.getNumber().setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
