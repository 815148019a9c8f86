package io.zonemover.domain;

import java.util.List;
import java.util.Locale;

/**
 * Recognises the scheduler's and the attach-detach controller's messages, in every wording that
 * Kubernetes releases have used (REFERENCE.md A.4). Messages may be truncated with an ellipsis, so
 * matching is by phrase, case-insensitive, never by the whole text.
 */
public final class SchedulerMessages {

    /**
     * The volume-zone wordings: VolumeBinding before 1.33, VolumeBinding from 1.33 (kubernetes PR
     * #129887), and VolumeZone (in-tree style PVs with zone labels).
     */
    public static final List<String> VOLUME_ZONE_PHRASES = List.of(
            "had volume node affinity conflict",
            "didn't match persistentvolume's node affinity",
            "had no available volume zone");

    private SchedulerMessages() {
    }

    /** True when a FailedScheduling note or PodScheduled message blames the volume's zone. */
    public static boolean isVolumeZoneConflict(String message) {
        if (message == null) {
            return false;
        }
        String m = normalise(message);
        return VOLUME_ZONE_PHRASES.stream().anyMatch(m::contains);
    }

    /** True for the attach-detach controller's Multi-Attach error (volume still attached elsewhere). */
    public static boolean isMultiAttach(String message) {
        return message != null && normalise(message).contains("multi-attach error");
    }

    /** Event reasons that mean the volume could not be attached or mounted. */
    public static boolean isAttachFailureReason(String reason) {
        return "FailedAttachVolume".equals(reason);
    }

    private static String normalise(String message) {
        // Some clients and log pipelines turn the apostrophe into a typographic one.
        return message.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
    }
}
