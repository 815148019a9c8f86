package io.zonemover.domain;

import java.util.List;
import java.util.Map;

/**
 * An EBS volume as EC2 describes it; the attributes a restored copy must keep. {@code attachmentStates} are its
 * attachments' states in the order of {@code attachedInstanceIds} (attaching, attached, detaching).
 */
public record EbsVolume(String id, String zone, String state, int sizeGiB, String type, Integer iops,
                        Integer throughput, boolean encrypted, String kmsKeyId, String snapshotId,
                        Map<String, String> tags, List<String> attachedInstanceIds, List<String> attachmentStates) {

    public EbsVolume {
        attachedInstanceIds = attachedInstanceIds == null ? List.of() : attachedInstanceIds;
        attachmentStates = attachmentStates == null ? List.of() : attachmentStates;
    }

    /** Without attachment states (a volume read by something that does not need them). */
    public EbsVolume(String id, String zone, String state, int sizeGiB, String type, Integer iops,
                     Integer throughput, boolean encrypted, String kmsKeyId, String snapshotId,
                     Map<String, String> tags, List<String> attachedInstanceIds) {
        this(id, zone, state, sizeGiB, type, iops, throughput, encrypted, kmsKeyId, snapshotId, tags,
                attachedInstanceIds, List.of());
    }

    public boolean available() {
        return "available".equals(state);
    }

    /**
     * Available, or every attachment it has is {@code detaching}: a detach starts only once the node has unmounted
     * the volume (the attach-detach controller skips a volume its node still reports in use), so from then on
     * nothing writes to it.
     */
    public boolean released() {
        return available() || !attachmentStates.isEmpty() && attachmentStates.stream().allMatch("detaching"::equals);
    }

    public boolean usable() {
        return !"error".equals(state) && !"deleting".equals(state) && !"deleted".equals(state);
    }
}
