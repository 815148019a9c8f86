package io.zonemover.domain;

import java.time.Instant;
import java.util.Map;

/**
 * An EBS snapshot: {@code state} is pending, completed or error; {@code progress} like "57%"; {@code startTime} and
 * {@code completionTime} (null while pending, or when EC2 does not say) are in the cloud's clock.
 */
public record EbsSnapshot(String id, String volumeId, String state, String progress, String stateMessage,
                          Instant startTime, Map<String, String> tags, Instant completionTime) {

    public EbsSnapshot(String id, String volumeId, String state, String progress, String stateMessage,
                       Instant startTime, Map<String, String> tags) {
        this(id, volumeId, state, progress, stateMessage, startTime, tags, null);
    }

    public boolean completed() {
        return "completed".equals(state);
    }

    public boolean failed() {
        return "error".equals(state);
    }

    /** How long EC2 took, start to completion, in its own clock; null when it does not say. */
    public java.time.Duration took() {
        return startTime == null || completionTime == null ? null
                : java.time.Duration.between(startTime, completionTime);
    }
}
