package io.zonemover.rescue;

import java.time.Instant;
import java.util.List;

/**
 * A pod that {@code diagnose} finds stuck on its volumes' zone (a VolumeNodeAffinityConflict), with what the
 * rescuer decides on.
 *
 * @param uid           the pod's uid: a pod the StatefulSet recreates is another candidate
 * @param claims        the claims the finding names (every EBS claim of the pod)
 * @param suggestedZone where the diagnosis would move it; null when no zone has room for it
 * @param since         when the scheduler first failed to place it, on the API server's clock; null if unknown
 * @param optedIn       its StatefulSet carries {@code zonemover.io/auto-rescue: "true"}
 */
public record Candidate(String namespace, String pod, String uid, String statefulSet, List<String> claims,
                        String suggestedZone, Instant since, boolean optedIn) {

    public Candidate {
        claims = List.copyOf(claims);
    }

    /** NAMESPACE/POD. */
    public String key() {
        return namespace + "/" + pod;
    }
}
