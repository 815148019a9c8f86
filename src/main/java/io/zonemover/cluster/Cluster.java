package io.zonemover.cluster;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.Placement;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a zone move needs of Kubernetes. Reads return empty when the object is gone; writes are idempotent
 * (creating what exists, or deleting what is gone, is success), so a resumed step can simply repeat them.
 * Failures come back as {@link io.zonemover.domain.PortError}: transient ones have already been retried a
 * few times. Saved manifests are JSON strings exactly as the server sent them, so the job can keep them in
 * its checkpoint and recreate an object without losing fields this client does not model.
 */
public interface Cluster {

    record Claim(ClaimRef ref, String uid, String resourceVersion, String phase, String volumeName,
                 String storageClass, List<String> accessModes, Map<String, String> annotations, boolean deleting,
                 String manifest) {
    }

    record Pv(String name, String volumeId, String zone, boolean ebs, boolean csi, String driver,
              String reclaimPolicy, String phase, String claimNamespace, String claimName, String claimUid,
              String storageClass, String capacity, List<String> accessModes, String volumeMode, String fsType,
              List<String> mountOptions, boolean deleting, String manifest) {
    }

    /**
     * @param started   a container of the pod has run (running or terminated, or restarted): from here on the
     *                  pod may have written to its volumes
     * @param revision  its {@code controller-revision-hash} label
     * @param claims    the claims its volumes name
     */
    record Pod(String namespace, String name, String uid, String phase, boolean ready, boolean started,
               String nodeName, String zone, String ownerStatefulSet, boolean deleting, String unschedulableMessage,
               String revision, String startTime, List<String> claims) {
    }

    /**
     * @param claimTemplates  names of its volumeClaimTemplates
     * @param sharedClaims    claims its pod template names directly (the same claim for every pod)
     * @param updateStrategy  spec.updateStrategy as JSON, as served
     */
    record StatefulSet(String namespace, String name, String uid, int replicas, int readyReplicas,
                       boolean deleting, List<String> claimTemplates, List<String> sharedClaims,
                       String updateStrategy, String updateRevision, long generation, long observedGeneration,
                       String manifest, Map<String, String> annotations) {

        public StatefulSet {
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }

        /** Without annotations. */
        public StatefulSet(String namespace, String name, String uid, int replicas, int readyReplicas,
                           boolean deleting, List<String> claimTemplates, List<String> sharedClaims,
                           String updateStrategy, String updateRevision, long generation, long observedGeneration,
                           String manifest) {
            this(namespace, name, uid, replicas, readyReplicas, deleting, claimTemplates, sharedClaims,
                    updateStrategy, updateRevision, generation, observedGeneration, manifest, Map.of());
        }

        /** The claim of one of its pods made from one of its templates: template-sts-ordinal. */
        public String claimName(String template, int ordinal) {
            return template + "-" + name + "-" + ordinal;
        }
    }

    /** The static PV that binds a claim to the restored volume in its new zone, carrying over the old PV's metadata. */
    record StaticPv(String name, String volumeId, String zone, ClaimRef claim, String savedPvManifest,
                    Map<String, String> extraLabels) {
    }

    /** A node as a rescue needs it: is it Ready, where is it, which EC2 instance runs it, how is it tainted. */
    record Node(String name, String zone, boolean ready, String instanceId, List<String> taints) {
    }

    /**
     * A pod the scheduler could not place (condition PodScheduled=False).
     *
     * @param statefulSet the owning StatefulSet's name, or null
     * @param message     the condition's message (the scheduler's words)
     * @param since       when the scheduler first failed to place it: the condition's lastTransitionTime, or
     *                    else the first FailedScheduling event about the pod; null when neither says. On the API
     *                    server's clock.
     */
    record UnscheduledPod(String namespace, String name, String uid, String statefulSet, String message,
                          Instant since) {
    }

    /** The pods the scheduler could not place, and the API server's clock when it answered (its Date header). */
    record Unscheduled(Instant serverTime, List<UnscheduledPod> pods) {
        public Unscheduled {
            pods = List.copyOf(pods);
        }
    }

    /**
     * A coordination.k8s.io/v1 Lease as leader election uses it (client-go's LeaderElectionRecord).
     *
     * @param holderIdentity  empty or null: nobody holds it (a holder that stepped down)
     * @param resourceVersion as read: an update carrying it fails with a CONFLICT if anyone wrote the Lease since
     */
    record Lease(String namespace, String name, String holderIdentity, int leaseDurationSeconds,
                 Instant acquireTime, Instant renewTime, int leaseTransitions, String resourceVersion) {

        public Lease withResourceVersion(String version) {
            return new Lease(namespace, name, holderIdentity, leaseDurationSeconds, acquireTime, renewTime,
                    leaseTransitions, version);
        }
    }

    /**
     * A core v1 Event about one object, as zonemover reports what it did (reportingComponent {@code zonemover}).
     *
     * @param kind     of the object: PersistentVolumeClaim, StatefulSet, Pod
     * @param uid      of the object as it is now, so that {@code kubectl describe} finds the event; may be null
     * @param type     Normal or Warning
     * @param instance who reports it (reportingInstance): the pod or host this zonemover runs in
     */
    record ObjectEvent(String namespace, String kind, String apiVersion, String name, String uid, String type,
                       String reason, String action, String message, String instance) {
    }

    Optional<Claim> claim(ClaimRef ref);

    Optional<Node> node(String name);

    /** Adds a taint (KEY=VALUE:EFFECT) to a node unless one with that key and effect is there. */
    void taintNode(String name, String key, String value, String effect);

    Optional<Pv> pv(String name);

    /** Every PV (they are cluster-scoped): how a caller learns whether any PV names a volume. */
    List<Pv> pvs();

    Optional<Pod> pod(String namespace, String name);

    /** The StatefulSet's pods (owned by it, or named after it and orphaned). */
    List<Pod> podsOf(String namespace, String statefulSetName);

    /**
     * The pods of {@code namespace} (every namespace when null) that are Pending and that the scheduler could
     * not place. One list call (field selector {@code status.phase=Pending}); the events of a pod are read
     * only when its condition carries no lastTransitionTime.
     */
    Unscheduled unscheduledPods(String namespace);

    /** The StatefulSet whose volumeClaimTemplates produce this claim's name (template-sts-ordinal). */
    Optional<StatefulSet> statefulSetOwning(ClaimRef ref);

    Optional<StatefulSet> statefulSet(String namespace, String name);

    /**
     * The StatefulSets whose labels match {@code labelSelector} (Kubernetes syntax, already checked; empty:
     * all), in {@code namespace}, or in every namespace when it is null. The API server does the filtering.
     */
    List<StatefulSet> statefulSets(String namespace, String labelSelector);

    /** Nodes as placement sees them, with what the running pods already request. */
    List<Placement.Node> placementNodes();

    /** What the pod template of this StatefulSet asks of a node. */
    Placement.PodNeeds podNeeds(StatefulSet statefulSet);

    /** Pods of this StatefulSet per zone (running or scheduled). */
    Map<String, Integer> podsPerZone(StatefulSet statefulSet);

    /** The PodDisruptionBudget that selects the StatefulSet's pods (by its pod template's labels), if any. */
    Optional<io.zonemover.domain.DisruptionBudget> disruptionBudget(StatefulSet statefulSet);

    /** True while any VolumeAttachment still names one of these PVs. */
    boolean attachedInCluster(List<String> pvNames);

    /** Messages of Warning events about this claim (VolumeMismatch, FailedBinding), newest last. */
    List<String> claimWarnings(ClaimRef ref);

    /**
     * Takes the claim for a move by compare-and-set on its annotation (an update carrying the claim's
     * resourceVersion). Returns the job that holds it when that is another one; never overwrites it.
     */
    Optional<String> lockClaim(ClaimRef ref, String annotation, String jobId);

    /** Removes the lock annotation, only if this job holds it. */
    void unlockClaim(ClaimRef ref, String annotation, String jobId);

    void setReclaimPolicy(String pvName, String policy);

    /** Deletes the StatefulSet but not its pods (propagationPolicy=Orphan). */
    void deleteStatefulSetOrphan(String namespace, String name);

    /**
     * Creates the StatefulSet again from its saved manifest as served (only server-set metadata and status
     * dropped); {@code updateStrategy}, when not null, replaces spec.updateStrategy (JSON).
     */
    void createStatefulSet(String manifest, String updateStrategy);

    /** Sets spec.updateStrategy (JSON) of a StatefulSet; the pod template, and so its revision, is untouched. */
    void setUpdateStrategy(String namespace, String name, String updateStrategy);

    void deletePod(String namespace, String name);

    void deleteClaim(ClaimRef ref);

    void createStaticPv(StaticPv pv);

    void deletePv(String name);

    /** Makes a Released PV bindable again by removing its claimRef. */
    void clearClaimRef(String pvName);

    /** Creates the claim again from its saved manifest, with {@code spec.volumeName} set to the PV. */
    void createClaimBoundTo(String savedClaimManifest, String pvName);

    /** The data of a ConfigMap, or empty. */
    Optional<Map<String, String>> configMap(String namespace, String name);

    /** Creates or replaces a ConfigMap with these labels and data. */
    void saveConfigMap(String namespace, String name, Map<String, String> labels, Map<String, String> data);

    void deleteConfigMap(String namespace, String name);

    // leader election and events (rescue --watch)

    Optional<Lease> lease(String namespace, String name);

    /**
     * Creates the Lease. Unlike the other creates, one that exists is not success but a CONFLICT
     * {@link io.zonemover.domain.PortError}: whoever created it first holds it.
     */
    Lease createLease(Lease lease);

    /**
     * Replaces the Lease, carrying the resourceVersion it was read with (compare-and-set): a CONFLICT
     * {@link io.zonemover.domain.PortError} when anyone wrote it since. Returns it as stored (new resourceVersion).
     */
    Lease updateLease(Lease lease);

    /**
     * Records an Event (POST .../events), once, without retrying: events are best-effort and a caller never
     * waits on them. Returns the Event's name, for {@link #repeatEvent}.
     */
    String createEvent(ObjectEvent event, Instant at);

    /**
     * Counts a repeat of an Event this process created (PATCH of count and lastTimestamp), as client-go's
     * recorder does instead of creating the same event again. False when the Event is gone (expired).
     */
    boolean repeatEvent(String namespace, String name, int count, Instant at);

    // split-per-zone

    /** Sets spec.replicas of a StatefulSet: its controller then adds or removes pods at the highest ordinals. */
    void scaleStatefulSet(String namespace, String name, int replicas);

    /**
     * Creates the zone's copy of a StatefulSet from its saved manifest as served: named {@code NAME-<zone>},
     * 0 replicas, selector and pod template labels extended with {@code zonemover.io/zone=<zone>} (so the
     * copies' selectors never overlap), a required node affinity on {@code topology.kubernetes.io/zone=<zone>}
     * added to every term of the template's own, and {@code labels} on the StatefulSet itself. Creating one
     * that exists is success.
     */
    void createZoneStatefulSet(String savedManifest, String zone, Map<String, String> labels);

    /** Reserves a PV for a claim that need not exist yet: claimRef set to it, without uid (REFERENCE A.2). */
    void reservePv(String pvName, ClaimRef claim);

    /** Creates claim {@code claim} from another claim's saved manifest, with {@code spec.volumeName} set to the PV. */
    void createClaimAs(String savedClaimManifest, ClaimRef claim, String pvName);
}
