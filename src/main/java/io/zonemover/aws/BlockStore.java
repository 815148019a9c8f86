package io.zonemover.aws;

import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a zone move needs of the block store. Every method is at most one EC2 call (one per id when a batch of
 * snapshots names one EC2 does not know), and a read by id may cost none: it can be answered by a call made
 * for another move moments before, never by one made before a change this process asked for. Errors come back
 * as {@link CloudException} with EC2's code, classified as a {@link io.zonemover.domain.PortError}. Looking
 * things up by tag is how a resumed step finds what an earlier, killed attempt created.
 */
public interface BlockStore {

    /** The availability zones of the region that are available. */
    List<String> zones();

    /** The volume, or empty when EC2 says InvalidVolume.NotFound (which it may say briefly after creation). */
    Optional<EbsVolume> volume(String volumeId);

    /** These volumes, in one call; a volume EC2 does not know (yet) is left out. */
    List<EbsVolume> volumes(List<String> volumeIds);

    /** These snapshots, in one call; a snapshot EC2 does not know (yet) is left out. */
    List<EbsSnapshot> snapshots(List<String> snapshotIds);

    /** Volumes carrying tag {@code key=value}, in any state; {@code value} may use EC2's wildcards ({@code *}). */
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

    /**
     * As {@link #createVolume(String, String, EbsVolume, Map, String)}, asking EC2 to load the new volume's blocks
     * at {@code initializationRate} MiB/s (VolumeInitializationRate, 100 to 300; null: EC2's default pace, or fast
     * snapshot restore where it is enabled).
     */
    default String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags,
                                String clientToken, Integer initializationRate) {
        if (initializationRate != null) {
            throw new UnsupportedOperationException("this block store cannot set a volume initialization rate");
        }
        return createVolume(snapshotId, zone, like, tags, clientToken);
    }

    /**
     * EnableFastSnapshotRestores for these snapshots in {@code zone}. Answers each snapshot's state there
     * (enabling, optimizing, enabled); a snapshot EC2 refused (its {@code unsuccessful} list, not an error response)
     * comes back as a {@link CloudException} with the refusal's code.
     */
    default Map<String, String> enableFastSnapshotRestores(List<String> snapshotIds, String zone) {
        throw new UnsupportedOperationException("this block store has no fast snapshot restore");
    }

    /** DescribeFastSnapshotRestores: these snapshots' state in {@code zone}; a snapshot never enabled there is absent. */
    default Map<String, String> fastSnapshotRestores(List<String> snapshotIds, String zone) {
        throw new UnsupportedOperationException("this block store has no fast snapshot restore");
    }

    /** DisableFastSnapshotRestores for these snapshots in {@code zone}; one not enabled, or gone, is success. */
    default void disableFastSnapshotRestores(List<String> snapshotIds, String zone) {
        throw new UnsupportedOperationException("this block store has no fast snapshot restore");
    }

    void tag(String resourceId, Map<String, String> tags);

    /**
     * Every snapshot of these volumes, whoever took it (zonemover, an EBS lifecycle policy, Velero), found by
     * the snapshot's VolumeId, newest first.
     */
    List<EbsSnapshot> snapshotsOfVolumes(List<String> volumeIds);

    /** EC2's word for an instance's state (pending, running, stopping, stopped, terminated...); empty when unknown. */
    Optional<String> instanceState(String instanceId);

    /** DescribeVolumeStatus: each volume's overall status (ok, impaired, warning, insufficient-data). */
    Map<String, String> volumeStatus(List<String> volumeIds);

    /** Deletes a snapshot; one already gone is success. */
    void deleteSnapshot(String snapshotId);

    /**
     * Deletes a volume; one already gone is success. EC2 refuses one that is attached ({@code VolumeInUse}),
     * which comes back as a {@link CloudException}: this never detaches anything.
     */
    void deleteVolume(String volumeId);

    /**
     * The cloud's clock: the Date of its answer to a cheap call. A snapshot's age is measured against it, not
     * against this machine's clock, which may be off (or, against the simulated world, run at another pace).
     */
    java.time.Instant now();
}
