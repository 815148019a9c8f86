package io.zonemover.cluster;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.Placement;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a zone move needs of Kubernetes. Reads return empty when the object is gone; writes are idempotent
 * (creating what exists, or deleting what is gone, is success), so a resumed step can simply repeat them.
 * Saved manifests are JSON strings, so the job can keep them in its checkpoint.
 */
public interface Cluster {

    record Claim(ClaimRef ref, String uid, String phase, String volumeName, String storageClass,
                 List<String> accessModes, Map<String, String> annotations, boolean deleting, String manifest) {
    }

    record Pv(String name, String volumeId, String zone, boolean ebs, boolean csi, String reclaimPolicy,
              String phase, String claimNamespace, String claimName, String claimUid, String storageClass,
              String capacity, List<String> accessModes, String volumeMode, String fsType,
              List<String> mountOptions, boolean deleting, String manifest) {
    }

    record Pod(String namespace, String name, String uid, String phase, boolean ready, String nodeName,
               String zone, String ownerStatefulSet, boolean deleting, String unschedulableMessage) {
    }

    record StatefulSet(String namespace, String name, String uid, int replicas, int readyReplicas,
                       boolean deleting, String manifest) {
    }

    /** The static PV that binds a claim to the restored volume in its new zone. */
    record StaticPv(String name, String volumeId, String zone, String capacity, String storageClass,
                    List<String> accessModes, String volumeMode, String fsType, List<String> mountOptions,
                    ClaimRef claim, Map<String, String> labels) {
    }

    Optional<Claim> claim(ClaimRef ref);

    Optional<Pv> pv(String name);

    Optional<Pod> pod(String namespace, String name);

    /** The StatefulSet whose volumeClaimTemplates produce this claim's name (template-sts-ordinal). */
    Optional<StatefulSet> statefulSetOwning(ClaimRef ref);

    Optional<StatefulSet> statefulSet(String namespace, String name);

    /** Nodes as placement sees them, with what the running pods already request. */
    List<Placement.Node> placementNodes();

    /** What the pod template of this StatefulSet asks of a node. */
    Placement.PodNeeds podNeeds(StatefulSet statefulSet);

    /** Pods of this StatefulSet per zone (running or scheduled). */
    Map<String, Integer> podsPerZone(StatefulSet statefulSet);

    /** True while any VolumeAttachment still names this PV. */
    boolean attachedInCluster(String pvName);

    /** Messages of Warning events about this claim (VolumeMismatch, FailedBinding), newest last. */
    List<String> claimWarnings(ClaimRef ref);

    /** Sets ({@code value != null}) or removes an annotation on the claim. */
    void annotateClaim(ClaimRef ref, String key, String value);

    void setReclaimPolicy(String pvName, String policy);

    /** Deletes the StatefulSet but not its pods (propagationPolicy=Orphan). */
    void deleteStatefulSetOrphan(String namespace, String name);

    /** Creates the StatefulSet from a saved manifest, stripped of server-set fields. */
    void createStatefulSet(String manifest);

    void deletePod(String namespace, String name);

    void deleteClaim(ClaimRef ref);

    void createStaticPv(StaticPv pv);

    void deletePv(String name);

    /** Makes a Released PV bindable again by removing its claimRef. */
    void clearClaimRef(String pvName);

    /** Creates the claim again from its saved manifest, with {@code spec.volumeName} set to the PV. */
    void createClaimBoundTo(String savedClaimManifest, String pvName);
}
