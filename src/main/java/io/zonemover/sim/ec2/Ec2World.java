package io.zonemover.sim.ec2;

import java.util.Map;

/**
 * The EC2 half of the simulated world: volumes, snapshots, instances, their states and timings.
 * PLACEHOLDER: the EC2 simulation replaces this body; the public methods below are the contract
 * that {@link io.zonemover.sim.World}, the Kubernetes half and the scenarios rely on.
 */
public final class Ec2World {

    public static Ec2World empty(String region) {
        throw new UnsupportedOperationException("not built yet");
    }

    public static Ec2World fromJson(String json) {
        throw new UnsupportedOperationException("not built yet");
    }

    public String toJson() {
        throw new UnsupportedOperationException("not built yet");
    }

    // ---- Used by the Kubernetes half (kubelet, attach/detach controller, provisioner) and by scenarios ----

    /** What the Kubernetes side may know of a volume; null from {@link #volume} when there is none. */
    public record VolumeView(String id, String zone, String state, int sizeGiB, String type,
                             java.util.List<String> attachedInstanceIds) {
    }

    public String region() {
        throw new UnsupportedOperationException("not built yet");
    }

    /** An EC2 instance (a node) exists in a zone; attach checks it. */
    public void registerInstance(String instanceId, String zone) {
        throw new UnsupportedOperationException("not built yet");
    }

    /**
     * Creates a volume as a provisioner (or a scenario) would; returns its id. When {@code available}
     * the volume exists at once, otherwise it goes through {@code creating} with the modelled duration.
     */
    public String createVolume(String zone, int sizeGiB, String volumeType, Integer iops, Integer throughput,
                               boolean encrypted, String kmsKeyId, Map<String, String> tags, long now,
                               boolean available) {
        throw new UnsupportedOperationException("not built yet");
    }

    public VolumeView volume(String volumeId) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Starts attaching; returns null, or the EC2 error code (InvalidVolume.ZoneMismatch, VolumeInUse, ...). */
    public String attach(String volumeId, String instanceId, long now) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** True once the attachment to that instance has completed ({@code attached}). */
    public boolean isAttached(String volumeId, String instanceId) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Starts detaching from that instance (no-op when not attached there). */
    public void detach(String volumeId, String instanceId, long now) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** Deletes a volume as a reclaim policy of Delete would; false when it is attached or absent. */
    public boolean deleteVolume(String volumeId, long now) {
        throw new UnsupportedOperationException("not built yet");
    }

    /** A running container starts or stops writing to the volume at the modelled steady rate. */
    public void setWriting(String volumeId, boolean writing, long now) {
        throw new UnsupportedOperationException("not built yet");
    }

    public long nextEventAt() {
        return Long.MAX_VALUE;
    }

    public void advanceTo(long now) {
    }

    public Map<String, Object> show(long now) {
        throw new UnsupportedOperationException("not built yet");
    }
}
