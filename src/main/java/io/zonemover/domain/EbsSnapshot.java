package io.zonemover.domain;

import java.util.Map;

/** An EBS snapshot: {@code state} is pending, completed or error; {@code progress} like "57%". */
public record EbsSnapshot(String id, String volumeId, String state, String progress, String stateMessage,
                          java.time.Instant startTime, Map<String, String> tags) {

    public boolean completed() {
        return "completed".equals(state);
    }

    public boolean failed() {
        return "error".equals(state);
    }
}
