package io.zonemover.sim.ec2;

import io.zonemover.sim.ec2.Ec2State.Attachment;
import io.zonemover.sim.ec2.Ec2State.Instance;
import io.zonemover.sim.ec2.Ec2State.Snapshot;
import io.zonemover.sim.ec2.Ec2State.TokenUse;
import io.zonemover.sim.ec2.Ec2State.Volume;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * EBS volumes and their state machine ({@code creating -> available <-> in-use -> deleting -> deleted}, or
 * {@code creating -> error}): CreateVolume's validation and ClientToken idempotency, attach, detach, delete.
 * No HTTP here: callers pass plain values and get {@link Ec2Error}s in EC2's own codes. Every operation
 * validates before it changes anything, so a refused call leaves the world as it was.
 */
final class Volumes {

    private static final List<String> TYPES = List.of("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard");

    private final Ec2State s;

    Volumes(Ec2State state) {
        this.s = state;
    }

    /** The parameters of CreateVolume; null means the caller left it out. */
    static final class CreateRequest {
        String zone;
        Integer sizeGiB;
        String snapshotId;
        String type;
        Integer iops;
        Integer throughput;
        Boolean encrypted;
        String kmsKeyId;
        Map<String, String> tags = Map.of();
        String clientToken;
        /** VolumeInitializationRate, MiB/s. */
        Integer initializationRate;

        /** What a ClientToken remembers of the call, to tell a retry from a different call. */
        String hash() {
            return Content.sha(zone + "|" + sizeGiB + "|" + snapshotId + "|" + type + "|" + iops + "|" + throughput
                    + "|" + encrypted + "|" + kmsKeyId + "|" + new TreeMap<>(tags)
                    + (initializationRate == null ? "" : "|" + initializationRate), 16);
        }
    }

    /**
     * CreateVolume. A ClientToken seen before returns its volume when the parameters match, and answers
     * {@code IdempotentParameterMismatch} when they differ or its volume failed or is gone (EC2 devguide
     * "Ensuring idempotency"; the EBS CSI driver treats such a token as burned, REFERENCE.md B.6).
     */
    Volume create(CreateRequest r, long now) {
        if (r.clientToken != null) {
            TokenUse use = s.clientTokens.get(r.clientToken);
            if (use != null) {
                Volume prior = s.volumes.get(use.volumeId);
                if (!use.paramsHash.equals(r.hash()) || prior == null || "error".equals(prior.state)) {
                    throw Ec2Error.idempotentParameterMismatch();
                }
                return prior;
            }
        }
        if (r.zone == null) {
            throw Ec2Error.missing("AvailabilityZone");
        }
        if (!s.zones.contains(r.zone)) {
            throw Ec2Error.zoneNotFound(r.zone);
        }
        Snapshot snap = r.snapshotId == null ? null : restorableSnapshot(r.snapshotId);
        int size = size(r.sizeGiB, snap);
        String type = r.type == null ? "gp2" : r.type;
        if (!TYPES.contains(type)) {
            throw Ec2Error.invalid("Value (" + type + ") for parameter volumeType is invalid.");
        }
        if (size < 1 || size > 65536) {
            throw Ec2Error.invalid("Volume size " + size + " is out of range.");
        }
        Integer iops = r.iops;
        Integer throughput = r.throughput;
        // Defaults and ranges from the CreateVolume model docs (REFERENCE.md B.6): gp3 3000 IOPS / 125 MiB/s,
        // gp2 3 IOPS per GiB between 100 and 16000.
        switch (type) {
            case "gp3" -> {
                iops = iops == null ? 3000 : iops;
                throughput = throughput == null ? 125 : throughput;
                if (iops < 3000 || iops > 80000) {
                    throw Ec2Error.invalid("The iops value " + iops + " is out of range 3000-80000 for gp3.");
                }
                if (throughput < 125 || throughput > 2000) {
                    throw Ec2Error.invalid("The throughput value " + throughput + " is out of range 125-2000.");
                }
            }
            case "io1", "io2" -> {
                if (iops == null) {
                    throw Ec2Error.missing("iops");
                }
            }
            case "gp2" -> iops = iops == null ? Math.min(16000, Math.max(100, 3 * size)) : iops;
            default -> { }
        }
        if (throughput != null && !"gp3".equals(type)) {
            throw Ec2Error.parameterCombination("Throughput is only valid for gp3 volumes.");
        }
        if (r.initializationRate != null) {
            // "supported only for volumes created from snapshots ... Valid range: 100 - 300 MiB/s" (CreateVolume).
            if (snap == null) {
                throw Ec2Error.parameterCombination("VolumeInitializationRate is supported only for volumes created "
                        + "from snapshots.");
            }
            if (r.initializationRate < Ec2World.MIN_INIT_RATE || r.initializationRate > Ec2World.MAX_INIT_RATE) {
                throw Ec2Error.invalid("Value (" + r.initializationRate + ") for parameter VolumeInitializationRate "
                        + "is invalid. Valid range: " + Ec2World.MIN_INIT_RATE + " - " + Ec2World.MAX_INIT_RATE
                        + " MiB/s.");
            }
        }
        // Volumes from encrypted snapshots are always encrypted.
        boolean encrypted = Boolean.TRUE.equals(r.encrypted) || (snap != null && snap.encrypted);
        if (r.kmsKeyId != null && !encrypted) {
            throw Ec2Error.parameterDependency("The parameter KmsKeyId requires the parameter Encrypted to be set.");
        }
        Ec2Faults.ZoneFault zoneFault = s.faults.createVolumeZoneFaults.get(r.zone);
        if (zoneFault == Ec2Faults.ZoneFault.REJECT || s.zoneDown(r.zone)) {
            throw Ec2Error.insufficientVolumeCapacity();
        }
        // ---- all checks passed: mutate
        Volume v = new Volume();
        v.id = s.nextId("vol");
        v.zone = r.zone;
        v.state = "creating";
        v.sizeGiB = size;
        v.type = type;
        v.iops = iops;
        v.throughput = throughput;
        v.encrypted = encrypted;
        v.kmsKeyId = r.kmsKeyId != null ? r.kmsKeyId : (snap != null ? snap.kmsKeyId : null);
        if (encrypted && v.kmsKeyId == null) {
            v.kmsKeyId = "arn:aws:kms:" + s.region + ":" + Ec2World.OWNER_ID + ":key/aws-ebs-default";
        }
        v.snapshotId = snap == null ? null : snap.id;
        v.createTime = now;
        v.failCreate = zoneFault == Ec2Faults.ZoneFault.ERROR;
        v.visibleAt = now + s.faults.describeLagMillis;
        v.tags = new TreeMap<>(r.tags);
        if (snap == null) {
            v.baseFingerprint = Content.EMPTY_FINGERPRINT;
            v.baseWrites = 0;
            v.transitionAt = now + Ec2World.CREATE_EMPTY_MS;
        } else {
            v.baseFingerprint = snap.fingerprint;
            v.baseWrites = snap.writes;
            // Snapshots of a volume restored from a snapshot are incremental to that snapshot.
            v.lastSnapshotWrites = snap.writes;
            v.transitionAt = now + Math.min(Ec2World.CREATE_FROM_SNAPSHOT_MAX_MS,
                    Ec2World.CREATE_FROM_SNAPSHOT_BASE_MS + Ec2World.CREATE_FROM_SNAPSHOT_PER_GIB_MS * size);
            Initialization.begin(v, snap, r.initializationRate, v.transitionAt);
        }
        s.volumes.put(v.id, v);
        if (r.clientToken != null) {
            TokenUse use = new TokenUse();
            use.volumeId = v.id;
            use.paramsHash = r.hash();
            s.clientTokens.put(r.clientToken, use);
        }
        return v;
    }

    private Snapshot restorableSnapshot(String snapshotId) {
        Snapshot snap = s.snapshots.get(snapshotId);
        if (snap == null) {
            throw Ec2Error.snapshotNotFound(snapshotId);
        }
        if (!"completed".equals(snap.state)) {
            // velero issue #1799 and driver code: "Snapshot is in invalid state - pending (IncorrectState)"
            throw Ec2Error.incorrectState("Snapshot is in invalid state - " + snap.state);
        }
        return snap;
    }

    /** "If you specify a snapshot, the default is the snapshot size", and no smaller (CreateVolume docs). */
    private static int size(Integer requested, Snapshot snap) {
        if (requested == null) {
            if (snap == null) {
                throw Ec2Error.missing("size or snapshotId");
            }
            return snap.sizeGiB;
        }
        if (snap != null && requested < snap.sizeGiB) {
            throw Ec2Error.invalid("Volume of " + requested + "GiB is too small; minimum is " + snap.sizeGiB
                    + "GiB for snapshot '" + snap.id + "'.");
        }
        return requested;
    }

    /**
     * DescribeVolumes' result set before filters: the named volumes in id order, or every volume the API can
     * see. A volume still within its describe lag is not there yet (eventual consistency).
     */
    List<Volume> describe(List<String> ids, long now) {
        List<Volume> found = new ArrayList<>();
        if (ids.isEmpty()) {
            for (Volume v : s.volumes.values()) {
                if (now >= v.visibleAt) {
                    found.add(v);
                }
            }
            return found;
        }
        List<String> missing = new ArrayList<>();
        for (String id : new TreeSet<>(ids)) {
            Volume v = s.volumes.get(id);
            if (v == null || now < v.visibleAt) {
                missing.add(id);
            } else {
                found.add(v);
            }
        }
        if (!missing.isEmpty()) {
            throw Ec2Error.volumesNotFound(missing);
        }
        return found;
    }

    /** A volume that exists for a mutating call: not deleted (and, where asked, no longer in its lag). */
    private Volume existing(String volumeId) {
        Volume v = s.volumes.get(volumeId);
        if (v == null || "deleted".equals(v.state)) {
            throw Ec2Error.volumeNotFound(volumeId);
        }
        return v;
    }

    /** A volume CreateSnapshot and CreateTags can act on: exists, not deleted, past its describe lag. */
    Volume visibleForUpdate(String volumeId, long now) {
        Volume v = existing(volumeId);
        if (now < v.visibleAt) {
            throw Ec2Error.volumeNotFound(volumeId);
        }
        return v;
    }

    /** AttachVolume: only an available volume, only to an instance in the volume's zone. */
    Attachment attach(String volumeId, String instanceId, String device, long now) {
        Volume v = existing(volumeId);
        Instance inst = s.instances.get(instanceId);
        if (inst == null) {
            throw Ec2Error.instanceNotFound(instanceId);
        }
        if (v.attachment != null || "in-use".equals(v.state)) {
            throw Ec2Error.volumeInUse(v.id + " is already attached to an instance");
        }
        if (!"available".equals(v.state)) {
            throw Ec2Error.incorrectState("The volume '" + v.id + "' is not in 'available' state; it is '"
                    + v.state + "'.");
        }
        if (!inst.zone.equals(v.zone)) {
            throw Ec2Error.zoneMismatch(v.id, instanceId);
        }
        zoneUp(v);
        Attachment a = new Attachment();
        a.instanceId = instanceId;
        a.device = device;
        a.state = "attaching";
        a.attachTime = now;
        a.until = now + Ec2World.ATTACH_MS;
        v.attachment = a;
        v.state = "in-use";
        return a;
    }

    /** DetachVolume; {@code instanceId} may be null (detach from whatever holds it). Repeating it is harmless. */
    Attachment detach(String volumeId, String instanceId, long now) {
        Volume v = existing(volumeId);
        if (v.attachment == null) {
            throw Ec2Error.incorrectState("Volume '" + v.id + "' is in the '" + v.state + "' state.");
        }
        if (instanceId != null && !instanceId.equals(v.attachment.instanceId)) {
            throw Ec2Error.attachmentNotFound(v.id, instanceId);
        }
        zoneUp(v);
        if (!"detaching".equals(v.attachment.state)) {
            startDetach(v, now);
        }
        return v.attachment;
    }

    /** Attach and detach need the zone's EBS servers: while the zone is down they fail (our model, Ec2World). */
    private void zoneUp(Volume v) {
        if (s.zoneDown(v.zone)) {
            throw Ec2Error.incorrectState("The volume '" + v.id + "' is impaired: Availability Zone " + v.zone
                    + " is not reachable.");
        }
    }

    /** Volumes attached (or attaching, detaching) to an instance, in creation order. */
    java.util.List<Volume> attachedTo(String instanceId) {
        return s.volumes.values().stream()
                .filter(v -> v.attachment != null && instanceId.equals(v.attachment.instanceId)).toList();
    }

    /** A detaching volume is no longer written: the container that wrote it has stopped. */
    void startDetach(Volume v, long now) {
        Content.stopWriting(v, now);
        v.attachment.state = "detaching";
        v.attachment.until = now + Ec2World.DETACH_MS;
    }

    /** DeleteVolume: refused while attached ({@code VolumeInUse}) or creating; repeating it is harmless. */
    void delete(String volumeId, long now) {
        Volume v = existing(volumeId);
        if (v.attachment != null) {
            throw Ec2Error.volumeInUse("Volume " + v.id + " is currently attached to " + v.attachment.instanceId);
        }
        if ("deleting".equals(v.state)) {
            return;
        }
        if ("creating".equals(v.state)) {
            throw Ec2Error.incorrectState("The volume '" + v.id + "' is 'creating'.");
        }
        Content.stopWriting(v, now);
        v.state = "deleting";
        v.transitionAt = now + Ec2World.DELETE_MS;
    }
}
