package io.zonemover.sim.kube;

import io.zonemover.sim.ec2.Ec2World;

import java.util.List;
import java.util.Map;

/**
 * What the Kubernetes half asks of the EC2 half: the calls a kubelet, the attach-detach controller, the
 * EBS CSI provisioner and the scenarios make. {@link #of(Ec2World)} adapts the real EC2 half; tests may
 * pass a small fake.
 */
public interface Ec2Side {

    void registerInstance(String instanceId, String zone);

    String createVolume(String zone, int sizeGiB, String volumeType, Integer iops, Integer throughput,
                        boolean encrypted, String kmsKeyId, Map<String, String> tags, long now, boolean available);

    /** Null when there is no such volume. */
    Ec2World.VolumeView volume(String volumeId);

    /** Null, or the EC2 error code. */
    String attach(String volumeId, String instanceId, long now);

    boolean isAttached(String volumeId, String instanceId);

    void detach(String volumeId, String instanceId, long now);

    boolean deleteVolume(String volumeId, long now);

    void setWriting(String volumeId, boolean writing, long now);

    /** EC2's state of the instance ({@code running}, {@code stopped} while its zone is down); null when unknown. */
    default String instanceState(String instanceId) {
        return "running";
    }

    /** World milliseconds to read {@code mib} MiB of the volume from {@code now} (slower while it initializes). */
    default long readMillis(String volumeId, long mib, long now) {
        return 0;
    }

    /** The real EC2 half behind this interface. */
    static Ec2Side of(Ec2World ec2) {
        return new Ec2Side() {
            @Override
            public void registerInstance(String instanceId, String zone) {
                ec2.registerInstance(instanceId, zone);
            }

            @Override
            public String createVolume(String zone, int sizeGiB, String volumeType, Integer iops, Integer throughput,
                                       boolean encrypted, String kmsKeyId, Map<String, String> tags, long now,
                                       boolean available) {
                return ec2.createVolume(zone, sizeGiB, volumeType, iops, throughput, encrypted, kmsKeyId, tags, now,
                        available);
            }

            @Override
            public Ec2World.VolumeView volume(String volumeId) {
                return ec2.volume(volumeId);
            }

            @Override
            public String attach(String volumeId, String instanceId, long now) {
                return ec2.attach(volumeId, instanceId, now);
            }

            @Override
            public boolean isAttached(String volumeId, String instanceId) {
                return ec2.isAttached(volumeId, instanceId);
            }

            @Override
            public void detach(String volumeId, String instanceId, long now) {
                ec2.detach(volumeId, instanceId, now);
            }

            @Override
            public boolean deleteVolume(String volumeId, long now) {
                return ec2.deleteVolume(volumeId, now);
            }

            @Override
            public void setWriting(String volumeId, boolean writing, long now) {
                ec2.setWriting(volumeId, writing, now);
            }

            @Override
            public String instanceState(String instanceId) {
                return ec2.instanceState(instanceId);
            }

            @Override
            public long readMillis(String volumeId, long mib, long now) {
                return ec2.readMillis(volumeId, mib, now);
            }
        };
    }

    /** True when the volume no longer lists the instance among its attachments. */
    default boolean isDetachedFrom(String volumeId, String instanceId) {
        Ec2World.VolumeView v = volume(volumeId);
        if (v == null) {
            return true;
        }
        List<String> ids = v.attachedInstanceIds();
        return !isAttached(volumeId, instanceId) && (ids == null || !ids.contains(instanceId));
    }
}
