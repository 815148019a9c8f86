package io.zonemover.aws;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a zone move needs of the block store. Every method is one EC2 call; errors come back as
 * {@link CloudException} with EC2's code. Looking things up by tag is how a resumed step finds what an
 * earlier, killed attempt created.
 */
public interface BlockStore {

    /** The availability zones of the region that are available. */
    List<String> zones();

    /** The volume, or empty when EC2 says InvalidVolume.NotFound (which it may say briefly after creation). */
    Optional<EbsVolume> volume(String volumeId);

    /** Volumes carrying tag {@code key=value}, in any state. */
    List<EbsVolume> volumesTagged(String key, String value);

    Optional<EbsSnapshot> snapshot(String snapshotId);

    /** Snapshots carrying tag {@code key=value}, in any state, oldest first. */
    List<EbsSnapshot> snapshotsTagged(String key, String value);

    /** Starts a snapshot; CreateSnapshot takes no client token, so callers look up by tag before calling. */
    String createSnapshot(String volumeId, String description, Map<String, String> tags);

    /**
     * Creates a volume from a completed snapshot in a zone, with the given attributes; {@code clientToken}
     * makes a repeated call return the same volume.
     */
    String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags, String clientToken);

    void tag(String resourceId, Map<String, String> tags);
}
