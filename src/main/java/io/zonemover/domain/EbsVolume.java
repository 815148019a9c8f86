package io.zonemover.domain;

import java.util.List;
import java.util.Map;

/** An EBS volume as EC2 describes it; the attributes a restored copy must keep. */
public record EbsVolume(String id, String zone, String state, int sizeGiB, String type, Integer iops,
                        Integer throughput, boolean encrypted, String kmsKeyId, String snapshotId,
                        Map<String, String> tags, List<String> attachedInstanceIds) {

    public boolean available() {
        return "available".equals(state);
    }

    public boolean usable() {
        return !"error".equals(state) && !"deleting".equals(state) && !"deleted".equals(state);
    }
}
