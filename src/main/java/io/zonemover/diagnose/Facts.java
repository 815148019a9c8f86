package io.zonemover.diagnose;

import io.zonemover.domain.Placement;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * The plain records detectors read: what the diagnosis needs of each Kubernetes object, and nothing of
 * client-java. Built once from the lists ({@link SnapshotFacts}); nodes are {@link Placement.Node}s.
 */
public final class Facts {

    private Facts() {
    }

    /**
     * A pod.
     *
     * @param statefulSet             the owning StatefulSet's name, or null
     * @param claims                  the claims it mounts, in volume order
     * @param notScheduledMessages    the messages of its {@code PodScheduled=False} conditions
     */
    public record Pod(String namespace, String name, String uid, String nodeName, String phase, boolean hasSpec,
                      boolean terminated, boolean deleting, String statefulSet, List<String> claims,
                      Placement.PodNeeds needs, List<String> notScheduledMessages) {
        public Pod {
            claims = List.copyOf(claims);
            notScheduledMessages = List.copyOf(notScheduledMessages);
        }

        public String key() {
            return ClusterFacts.key(namespace, name);
        }
    }

    /**
     * A PersistentVolumeClaim.
     *
     * @param volumeName   {@code spec.volumeName}, or null while unbound
     * @param migrationJob the {@code zonemover.io/migration} annotation: the job that owns the claim, or null
     */
    public record Claim(String namespace, String name, String volumeName, String storageClass, String migrationJob) {
        public String key() {
            return ClusterFacts.key(namespace, name);
        }
    }

    /**
     * A PersistentVolume.
     *
     * @param ebs       an EBS volume (CSI {@code ebs.csi.aws.com} or in-tree {@code awsElasticBlockStore})
     * @param driver    the CSI driver, {@code kubernetes.io/aws-ebs} for in-tree EBS, else null
     * @param volumeId  the bare {@code vol-...} id; null when not EBS
     * @param zone      the zone its nodeAffinity (or zone labels) pins it to, whatever the driver; null if none
     * @param sizeBytes {@code spec.capacity.storage}, 0 when absent
     */
    public record Volume(String name, boolean ebs, String driver, String volumeId, String zone, long sizeBytes) {
    }

    public record StorageClass(String name, String provisioner, String bindingMode) {
    }

    /** An event about an object, with its latest time (see {@link SnapshotFacts} for which field that is). */
    public record Event(String involvedUid, String reason, String message, OffsetDateTime when) {
    }

    /**
     * A StatefulSet.
     *
     * @param replicas       {@code spec.replicas}, 1 when unset
     * @param claimTemplates the names of its volumeClaimTemplates, in order
     * @param templateNeeds  what its pod template asks of a node
     * @param selector       {@code spec.selector.matchLabels} (empty when it has none)
     */
    public record StatefulSet(String namespace, String name, int replicas, int ordinalStart,
                              List<String> claimTemplates, Placement.PodNeeds templateNeeds,
                              Map<String, String> selector) {
        public StatefulSet {
            claimTemplates = List.copyOf(claimTemplates);
            selector = selector == null ? Map.of() : Map.copyOf(selector);
        }

        /** Without a selector. */
        public StatefulSet(String namespace, String name, int replicas, int ordinalStart,
                           List<String> claimTemplates, Placement.PodNeeds templateNeeds) {
            this(namespace, name, replicas, ordinalStart, claimTemplates, templateNeeds, Map.of());
        }

        /** The pod name of an ordinal. */
        public String podName(int ordinal) {
            return name + "-" + ordinal;
        }

        /** The claim a template gives an ordinal: {@code <template>-<set>-<ordinal>}. */
        public String claimName(String template, int ordinal) {
            return template + "-" + name + "-" + ordinal;
        }
    }

    /**
     * The record of a move in progress, from its ConfigMap {@code zonemover-<jobId>} (labels, and the
     * {@code move.json} data key). A field that could not be read is null, and {@code problem} says why.
     *
     * @param step            the step in progress, or {@code rollback}
     * @param pointOfNoReturn true once the pod has run on its new volumes; null when unknown
     */
    public record MoveRecord(String namespace, String configMap, String jobId, String pod, String statefulSet,
                             List<String> claims, String fromZone, String toZone, String step,
                             Boolean pointOfNoReturn, String updatedAt, String problem) {
        public MoveRecord {
            claims = claims == null ? List.of() : List.copyOf(claims);
        }
    }
}
