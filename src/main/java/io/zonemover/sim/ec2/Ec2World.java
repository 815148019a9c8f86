package io.zonemover.sim.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The EC2 half of the simulated world, as one model behind one door: the persisted state ({@link Ec2State}),
 * the resources' models ({@link Volumes}, {@link Snapshots}), time ({@link Transitions}) and the view
 * ({@link Ec2View}); the Kubernetes half and the scenarios call the public methods here, the Query endpoint
 * the package-private ones.
 *
 * <p>Everything here is a pure function of the state and the world clock ({@code now}, epoch millis, passed
 * in by the caller): no wall clock, no randomness. Ids are hashes of a counter and the region, so a world
 * reloaded in another process hands out the same ids. Writes by running containers are not events: a
 * volume's write count is computed from the time it has been writing ({@link Content}).
 *
 * <h2>Modelled durations (world time)</h2>
 * <ul>
 *   <li>{@link #CREATE_EMPTY_MS} 2 s, {@code creating -> available} for an empty volume: the EBS CSI driver's
 *   notes on its DescribeVolumes polling give "median/p99 ... ~1.5/~4 seconds" ({@code pkg/cloud/cloud.go}
 *   L350-377, quoted in REFERENCE.md B).</li>
 *   <li>{@link #CREATE_FROM_SNAPSHOT_BASE_MS} 5 s + {@link #CREATE_FROM_SNAPSHOT_PER_GIB_MS} 0.5 s per GiB, capped
 *   at {@link #CREATE_FROM_SNAPSHOT_MAX_MS} 60 s, for a volume restored from a snapshot: EBS makes restored volumes
 *   available before their blocks are loaded (lazy load from S3, {@code ebs/latest/userguide/ebs-creating-volume}),
 *   so this stays within "seconds to a minute"; the driver's whole waitForVolume budget is ~60 s. The per-GiB
 *   slope is our assumption, not a documented figure.</li>
 *   <li>{@link #ATTACH_MS} / {@link #DETACH_MS} 3 s: attachments are reported as taking seconds; AWS documents no
 *   number. Our estimate.</li>
 *   <li>{@link #DELETE_MS} 2 s {@code deleting -> deleted}; the volume is then listed as {@code deleted} for
 *   {@link #DELETED_VISIBLE_MS} 60 s and afterwards is gone ({@code InvalidVolume.NotFound}). Estimate.</li>
 *   <li>Snapshots: {@link #SNAPSHOT_BASE_MS} 30 s + changed data / {@link #SNAPSHOT_MIB_PER_SEC} 100 MiB/s. The
 *   first snapshot of a volume is full, later ones only hold the blocks changed since the previous completed
 *   snapshot ({@code ebs/latest/userguide/how_snapshots_work}: "Subsequent snapshots of the same volume are
 *   incremental"). A full snapshot of 20 GiB then takes ~4 min, in line with user reports of "about 3 minutes"
 *   for the API to report a snapshot done (aws/aws-sdk-ruby issue #978); a small incremental one ~30 s. A full
 *   snapshot is assumed to hold the whole volume (worst case). Throughput is our assumption.</li>
 *   <li>Writes: a running container writes {@link #WRITES_PER_SEC} 1 write per world second, each changing
 *   {@link #MIB_PER_WRITE} 1 MiB (so an hour of writing makes a ~3.5 GiB incremental snapshot), or as many MiB as
 *   the world's {@link #mibPerWrite} (scenario option {@code writeMiBps}). Model choice.</li>
 *   <li>Initialization of restored volumes ({@link Initialization}): {@link #DEFAULT_INIT_MIB_PER_SEC} 30 MiB/s
 *   unless CreateVolume asks for a rate ({@link #MIN_INIT_RATE} to {@link #MAX_INIT_RATE} MiB/s, CreateVolume
 *   docs) or fast snapshot restore is enabled ({@link FastRestores}); reads at {@link #FULL_SPEED_MIB_PER_SEC}
 *   250 MiB/s (gp2's ceiling; gp3 at its provisioned throughput) once initialized. The default rate is our
 *   assumption: AWS says it fluctuates.</li>
 *   <li>{@link #SNAPSHOT_RATE_MS} 15 s between CreateSnapshot calls on one volume
 *   ({@code SnapshotCreationPerVolumeRateExceeded}; AWS Knowledge Center "ebs-snapshot-stuck" recommends waiting
 *   15 s), at most 5 pending snapshots per volume (1 for st1/sc1) ({@code ConcurrentSnapshotLimitExceeded},
 *   same page).</li>
 *   <li>{@link #DESCRIBE_LAG_MS} 2 s during which DescribeVolumes does not know a volume created through the API
 *   (eventual consistency, kubernetes-csi/external-snapshotter issue #695); adjustable in {@link Ec2Faults}.</li>
 *   <li>{@link #OUTAGE_SNAPSHOT_ERROR_MS} 1 h: while a zone is down ({@link #setZoneDown}) a snapshot of a volume
 *   there makes no progress and, if the zone is still down this long after the snapshot stalled, ends in
 *   {@code error}. AWS documents no such figure; it is ours, chosen longer than any tool should wait for a
 *   snapshot and short enough that a test can reach it. Back up before then, the snapshot resumes where it
 *   stopped.</li>
 * </ul>
 *
 * <h2>A zone outage (our model)</h2>
 * While a zone is down its instances report {@code stopped} (in a real loss of an Availability Zone they may as
 * well go on reporting {@code running} with impaired status checks: a tool must see an explicit stopped or
 * terminated, or be told by its user, before it treats a node as gone), its volumes report {@code impaired} in
 * DescribeVolumeStatus and stop being written, AttachVolume, DetachVolume and CreateVolume there fail, and
 * CreateSnapshot of its volumes succeeds but the snapshot stalls (above). Volumes stay attached to their stopped
 * instances, as EBS volumes of a stopped instance do; a detach the cluster asks for meanwhile (a force-detach after
 * non-graceful node shutdown) starts when the zone is back, as the CSI attacher's retries would get it through.
 * Everything about other zones works as usual.
 */
public final class Ec2World {

    public static final long CREATE_EMPTY_MS = 2_000;
    public static final long CREATE_FROM_SNAPSHOT_BASE_MS = 5_000;
    public static final long CREATE_FROM_SNAPSHOT_PER_GIB_MS = 500;
    public static final long CREATE_FROM_SNAPSHOT_MAX_MS = 60_000;
    public static final long ATTACH_MS = 3_000;
    public static final long DETACH_MS = 3_000;
    public static final long DELETE_MS = 2_000;
    public static final long DELETED_VISIBLE_MS = 60_000;
    public static final long SNAPSHOT_BASE_MS = 30_000;
    public static final long SNAPSHOT_MIB_PER_SEC = 100;
    public static final long WRITES_PER_SEC = 1;
    public static final long MIB_PER_WRITE = 1;
    public static final long SNAPSHOT_RATE_MS = 15_000;
    public static final long DESCRIBE_LAG_MS = 2_000;
    public static final long OUTAGE_SNAPSHOT_ERROR_MS = 60 * 60_000;
    public static final long DEFAULT_INIT_MIB_PER_SEC = 30;
    public static final long FULL_SPEED_MIB_PER_SEC = 250;
    public static final int MIN_INIT_RATE = 100;
    public static final int MAX_INIT_RATE = 300;
    public static final long FSR_ENABLING_MS = 30_000;
    public static final long FSR_OPTIMIZE_MIN_MS = 60_000;
    public static final long FSR_OPTIMIZE_MS_PER_TIB = 60 * 60_000;
    public static final long FSR_DISABLING_MS = 10_000;
    public static final String OWNER_ID = "111122223333";

    /** The device the Kubernetes half's attach uses; the API's callers name their own. */
    private static final String KUBE_DEVICE = "/dev/xvdba";

    private final Ec2State s;
    private final Volumes volumes;
    private final Snapshots snapshots;
    private final FastRestores fastRestores;

    private Ec2World(Ec2State state) {
        this.s = state;
        this.volumes = new Volumes(state);
        this.snapshots = new Snapshots(state, volumes);
        this.fastRestores = new FastRestores(state);
    }

    /** A region with its zones (us-east-1 has six, a to f; other regions three) and nothing in it. */
    public static Ec2World empty(String region) {
        Ec2State st = new Ec2State();
        st.region = region;
        for (char c = 'a'; c <= (region.equals("us-east-1") ? 'f' : 'c'); c++) {
            st.zones.add(region + c);
        }
        return new Ec2World(st);
    }

    public static Ec2World fromJson(String json) {
        return new Ec2World(Ec2State.fromJson(json));
    }

    /** One line of JSON (no newline inside) that {@link #fromJson} restores exactly. */
    public String toJson() {
        return s.toJson();
    }

    // ---- region, zones, instances, faults

    public String region() {
        return s.region;
    }

    /** The availability zones of the region (DescribeAvailabilityZones). */
    public List<String> zones() {
        return List.copyOf(s.zones);
    }

    /** Replaces the region's zone list (scenarios); zones must start with the region name. */
    public void setZones(List<String> zones) {
        s.zones = new ArrayList<>(zones);
    }

    /** MiB each write changes: the world's write rate in MiB/s, as written at one write a second. */
    public long mibPerWrite() {
        return s.mibPerWrite;
    }

    /** Sets the world's write rate (scenarios: {@code --set writeMiBps=N}); at least 1 MiB/s. */
    public void setWriteMiBPerSecond(long mibPerSecond) {
        if (mibPerSecond < 1) {
            throw new IllegalArgumentException("the write rate must be at least 1 MiB/s, not " + mibPerSecond);
        }
        s.mibPerWrite = mibPerSecond;
    }

    /** The mutable fault settings; changes are persisted with the world. */
    public Ec2Faults faults() {
        return s.faults;
    }

    /** An EC2 instance (a node) exists in a zone; attach checks it. */
    public void registerInstance(String instanceId, String zone) {
        Ec2State.Instance i = new Ec2State.Instance();
        i.id = instanceId;
        i.zone = zone;
        s.instances.put(instanceId, i);
        if (!s.zones.contains(zone) && zone.startsWith(s.region)) {
            s.zones.add(zone);
            s.zones.sort(null);
        }
    }

    /**
     * Takes a zone down (an outage) or brings it back. Down: writes to its volumes stop, pending snapshots of them
     * stall. Up: stalled snapshots resume with the time they still needed. Repeating either is harmless.
     */
    public void setZoneDown(String zone, boolean down, long now) {
        if (down == s.zoneDown(zone)) {
            return;
        }
        if (down) {
            s.downZones.put(zone, now);
            for (Ec2State.Volume v : s.volumes.values()) {
                if (zone.equals(v.zone)) {
                    Content.stopWriting(v, now);
                }
            }
        } else {
            s.downZones.remove(zone);
            for (Ec2State.Volume v : s.volumes.values()) {
                if (zone.equals(v.zone) && v.attachment != null && v.attachment.detachWhenUp
                        && !"detaching".equals(v.attachment.state)) {
                    v.attachment.detachWhenUp = false;
                    volumes.startDetach(v, now);
                }
            }
        }
        for (Ec2State.Snapshot sn : s.snapshots.values()) {
            Ec2State.Volume v = s.volumes.get(sn.volumeId);
            if ("pending".equals(sn.state) && v != null && zone.equals(v.zone)) {
                if (down) {
                    Snapshots.stall(sn, now);
                } else if (sn.stalled) {
                    sn.stalled = false;
                    sn.completeAt = now + sn.remainingMs;
                    sn.remainingMs = 0;
                }
            }
        }
    }

    /** True while the zone is down. */
    public boolean zoneDown(String zone) {
        return s.zoneDown(zone);
    }

    /** Zones down now, sorted. */
    public List<String> downZones() {
        return List.copyOf(s.downZones.keySet());
    }

    /** EC2's state name for a registered instance ({@code running}, or {@code stopped} while its zone is down); null when unknown. */
    public String instanceState(String instanceId) {
        Ec2State.Instance i = s.instances.get(instanceId);
        return i == null ? null : s.zoneDown(i.zone) ? "stopped" : "running";
    }

    /** The zone of a registered instance, or null. */
    public String instanceZone(String instanceId) {
        Ec2State.Instance i = s.instances.get(instanceId);
        return i == null ? null : i.zone;
    }

    // ---- used by the Kubernetes half (kubelet, attach/detach controller, provisioner) and by scenarios

    /** What the Kubernetes side may know of a volume; null from {@link #volume} when there is none. */
    public record VolumeView(String id, String zone, String state, int sizeGiB, String type,
                             List<String> attachedInstanceIds) {
    }

    /**
     * Creates a volume as a provisioner (or a scenario) would; returns its id. When {@code available}
     * the volume exists at once, otherwise it goes through {@code creating} with the modelled duration.
     */
    public String createVolume(String zone, int sizeGiB, String volumeType, Integer iops, Integer throughput,
                               boolean encrypted, String kmsKeyId, Map<String, String> tags, long now,
                               boolean available) {
        Volumes.CreateRequest r = new Volumes.CreateRequest();
        r.zone = zone;
        r.sizeGiB = sizeGiB;
        r.type = volumeType;
        r.iops = iops;
        r.throughput = throughput;
        r.encrypted = encrypted;
        r.kmsKeyId = kmsKeyId;
        r.tags = tags == null ? Map.of() : tags;
        Ec2State.Volume v = volumes.create(r, now);
        // The provisioner learns of its volume from its own calls: no describe lag.
        v.visibleAt = now;
        if (available && "creating".equals(v.state)) {
            v.state = v.failCreate ? "error" : "available";
            v.transitionAt = 0;
        }
        return v.id;
    }

    public VolumeView volume(String volumeId) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        if (v == null) {
            return null;
        }
        List<String> attached = v.attachment == null ? List.of() : List.of(v.attachment.instanceId);
        return new VolumeView(v.id, v.zone, v.state, v.sizeGiB, v.type, attached);
    }

    /** Starts attaching; returns null, or the EC2 error code (InvalidVolume.ZoneMismatch, VolumeInUse, ...). */
    public String attach(String volumeId, String instanceId, long now) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        if (v != null && v.attachment != null && v.attachment.instanceId.equals(instanceId)
                && !"detaching".equals(v.attachment.state)) {
            // The CSI driver's ControllerPublish is idempotent: a volume already attached to the node (left so by a
            // force-detach while its zone was down) is published again, not refused.
            return null;
        }
        try {
            volumes.attach(volumeId, instanceId, KUBE_DEVICE, now);
            return null;
        } catch (Ec2Error e) {
            return e.code();
        }
    }

    /** True once the attachment to that instance has completed ({@code attached}). */
    public boolean isAttached(String volumeId, String instanceId) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        return v != null && v.attachment != null && v.attachment.instanceId.equals(instanceId)
                && "attached".equals(v.attachment.state);
    }

    /** Starts detaching from that instance (no-op when not attached there). */
    public void detach(String volumeId, String instanceId, long now) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        if (v == null || v.attachment == null || !v.attachment.instanceId.equals(instanceId)
                || "detaching".equals(v.attachment.state)) {
            return;
        }
        if (s.zoneDown(v.zone)) {
            // The CSI external-attacher retries ControllerUnpublish until EC2 takes it: here, when the zone is back.
            v.attachment.detachWhenUp = true;
            return;
        }
        volumes.startDetach(v, now);
    }

    /** Deletes a volume as a reclaim policy of Delete would; false when it is attached or absent. */
    public boolean deleteVolume(String volumeId, long now) {
        try {
            volumes.delete(volumeId, now);
            return true;
        } catch (Ec2Error e) {
            return false;
        }
    }

    /** A running container starts or stops writing to the volume at the modelled steady rate. */
    public void setWriting(String volumeId, boolean writing, long now) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        if (v == null) {
            return;
        }
        if (writing) {
            if (v.writing || v.attachment == null || !"attached".equals(v.attachment.state) || s.zoneDown(v.zone)) {
                return; // only an attached volume can be written, and nothing runs in a zone that is down
            }
            v.writing = true;
            v.writingSince = now;
        } else {
            Content.stopWriting(v, now);
        }
    }

    /** The volume's content fingerprint at {@code now} (16 hex chars), or null when there is no such volume. */
    public String fingerprint(String volumeId, long now) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        return v == null ? null : Content.fingerprint(v, now);
    }

    /** Total writes the volume's content holds at {@code now} (including those inherited from its snapshot). */
    public long writes(String volumeId, long now) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        return v == null ? -1 : Content.writes(v, now);
    }

    /**
     * World milliseconds a reader starting at {@code now} needs to read {@code mib} MiB of the volume: slower while
     * a restored volume's blocks are still loading ({@link Initialization}); 0 for no such volume.
     */
    public long readMillis(String volumeId, long mib, long now) {
        Ec2State.Volume v = s.volumes.get(volumeId);
        return v == null ? 0 : Initialization.readMillis(v, mib, now);
    }

    // ---- used by the Query endpoint

    /** The registered instances, by id (DescribeInstances). */
    Map<String, Ec2State.Instance> instances() {
        return s.instances;
    }

    Volumes volumes() {
        return volumes;
    }

    Snapshots snapshots() {
        return snapshots;
    }

    FastRestores fastRestores() {
        return fastRestores;
    }

    /** CreateTags: every id must exist (vol- or snap-) before any is tagged. */
    void createTags(List<String> resourceIds, Map<String, String> tags, long now) {
        for (String id : resourceIds) {
            if (id.startsWith("vol-")) {
                volumes.visibleForUpdate(id, now);
            } else if (id.startsWith("snap-")) {
                snapshots.existing(id);
            } else {
                throw Ec2Error.invalidId(id);
            }
        }
        for (String id : resourceIds) {
            Map<String, String> target = id.startsWith("vol-") ? s.volumes.get(id).tags : s.snapshots.get(id).tags;
            target.putAll(tags);
        }
    }

    /** Consumes one call-level fault, if any is set (throttle first, then server error). */
    void consumeCallFault() {
        if (s.faults.throttleNextCalls > 0) {
            s.faults.throttleNextCalls--;
            throw Ec2Error.requestLimitExceeded();
        }
        if (s.faults.rateHits()) {
            throw Ec2Error.requestLimitExceeded();
        }
        if (s.faults.failNextCalls > 0) {
            s.faults.failNextCalls--;
            throw Ec2Error.internalError("");
        }
    }

    // ---- time and view

    public long nextEventAt() {
        return Transitions.nextEventAt(s);
    }

    public void advanceTo(long now) {
        Transitions.advanceTo(s, now);
    }

    /** The EC2 half of {@code sim show}. */
    public Map<String, Object> show(long now) {
        return Ec2View.show(s, now);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ec2World other && Objects.equals(toJson(), other.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }
}
