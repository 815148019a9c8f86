package io.zonemover.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Tag and annotation keys zonemover writes, and the rules for carrying a volume's tags to its copy. */
public final class Tags {

    public static final String JOB = "zonemover.io/job";
    public static final String SOURCE_VOLUME = "zonemover.io/source-volume";
    public static final String PHASE = "zonemover.io/phase";
    public static final String CLAIM = "zonemover.io/claim";
    public static final String SUPERSEDED_BY = "zonemover.io/superseded-by";
    public static final String ROLLED_BACK = "zonemover.io/rolled-back-by";
    /**
     * On zonemover's protective snapshots ({@code zonemover snapshot}), value {@code true}: the only snapshots
     * zonemover ever deletes, and the only ones its IAM policy lets it delete.
     */
    public static final String PROTECT = "zonemover.io/protect";
    /** When a protective snapshot was taken, ISO-8601 UTC; also what a retried create looks for. */
    public static final String TAKEN_AT = "zonemover.io/taken-at";
    /**
     * On a superseded source volume, when {@code zonemover cleanup} began deleting its move's snapshots (EC2's
     * clock, ISO-8601): a run interrupted after the snapshots went still knows the retention had passed.
     */
    public static final String CLEANUP_STARTED = "zonemover.io/cleanup-started-at";
    /** Annotation on the claim while a job owns it. */
    public static final String MIGRATION_ANNOTATION = "zonemover.io/migration";

    // The EBS CSI driver's tags, which its standard IAM policy keys on (REFERENCE B.7).
    public static final String CSI_CLUSTER = "ebs.csi.aws.com/cluster";
    public static final String CSI_VOLUME_NAME = "CSIVolumeName";
    public static final String CREATED_FOR_PVC_NAME = "kubernetes.io/created-for/pvc/name";
    public static final String CREATED_FOR_PVC_NAMESPACE = "kubernetes.io/created-for/pvc/namespace";
    public static final String CREATED_FOR_PV_NAME = "kubernetes.io/created-for/pv/name";

    /** Tags that describe the old volume's identity, rewritten rather than copied. */
    private static final Set<String> REWRITTEN = Set.of(CSI_VOLUME_NAME, CREATED_FOR_PV_NAME, CREATED_FOR_PVC_NAME,
            CREATED_FOR_PVC_NAMESPACE, JOB, SOURCE_VOLUME, PHASE, CLAIM, SUPERSEDED_BY, ROLLED_BACK);

    private Tags() {
    }

    /**
     * The tags of the restored volume: the original's (minus AWS-reserved and identity tags), the EBS CSI
     * driver's for the new PV, and zonemover's provenance.
     */
    public static Map<String, String> forRestoredVolume(Map<String, String> original, String jobId,
                                                        String sourceVolumeId, ClaimRef claim, String newPvName) {
        Map<String, String> tags = new LinkedHashMap<>();
        original.forEach((k, v) -> {
            if (!k.startsWith("aws:") && !REWRITTEN.contains(k)) {
                tags.put(k, v);
            }
        });
        tags.put(CSI_CLUSTER, "true");
        tags.put(CSI_VOLUME_NAME, newPvName);
        tags.put(CREATED_FOR_PVC_NAME, claim.name());
        tags.put(CREATED_FOR_PVC_NAMESPACE, claim.namespace());
        tags.put(CREATED_FOR_PV_NAME, newPvName);
        tags.put(JOB, jobId);
        tags.put(SOURCE_VOLUME, sourceVolumeId);
        tags.put(CLAIM, claim.toString());
        return tags;
    }

    /** The tags of a protective snapshot: zonemover's mark, whose data it is, and when it was taken. */
    public static Map<String, String> forProtectiveSnapshot(String volumeId, ClaimRef claim, String takenAt) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(PROTECT, "true");
        tags.put(CLAIM, claim.toString());
        tags.put(SOURCE_VOLUME, volumeId);
        tags.put(TAKEN_AT, takenAt);
        return tags;
    }

    /**
     * True for a snapshot zonemover took as a protective one (and so may delete when it is past retention): it
     * carries {@code zonemover.io/protect=true} and is not a move's ({@code zonemover.io/job}), whatever else.
     */
    public static boolean isProtective(Map<String, String> snapshotTags) {
        return snapshotTags != null && "true".equals(snapshotTags.get(PROTECT)) && !snapshotTags.containsKey(JOB);
    }

    /** The tags of a snapshot taken by a job: enough to find it again after a crash. */
    public static Map<String, String> forSnapshot(String jobId, String phase, String sourceVolumeId, ClaimRef claim) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(JOB, jobId);
        tags.put(PHASE, phase);
        tags.put(SOURCE_VOLUME, sourceVolumeId);
        tags.put(CLAIM, claim.toString());
        return tags;
    }
}
