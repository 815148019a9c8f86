package io.zonemover.sim.ec2;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The EC2 half of the simulated world: volumes, snapshots, instances, their states and timings.
 *
 * <p>Everything here is a pure function of the state and the world clock ({@code now}, epoch millis, passed
 * in by the caller): no wall clock, no randomness. Ids are hashes of a counter and the region, so a world
 * reloaded in another process hands out the same ids. Writes by running containers are not events: a
 * volume's write count is computed from the time it has been writing.
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
 *   {@link #MIB_PER_WRITE} 1 MiB (so an hour of writing makes a ~3.5 GiB incremental snapshot). Model choice.</li>
 *   <li>{@link #SNAPSHOT_RATE_MS} 15 s between CreateSnapshot calls on one volume
 *   ({@code SnapshotCreationPerVolumeRateExceeded}; AWS Knowledge Center "ebs-snapshot-stuck" recommends waiting
 *   15 s), at most 5 pending snapshots per volume (1 for st1/sc1) ({@code ConcurrentSnapshotLimitExceeded},
 *   same page).</li>
 *   <li>{@link #DESCRIBE_LAG_MS} 2 s during which DescribeVolumes does not know a volume created through the API
 *   (eventual consistency, kubernetes-csi/external-snapshotter issue #695); adjustable in {@link Ec2Faults}.</li>
 * </ul>
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
    public static final String OWNER_ID = "111122223333";

    static final String EMPTY_FINGERPRINT = sha16("empty");

    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    // ------------------------------------------------------------------ persisted state

    /** The whole persisted state; public fields so Jackson can (de)serialize it exactly. */
    static final class State {
        public String region;
        public long counter;
        public List<String> zones = new ArrayList<>();
        public Map<String, Instance> instances = new TreeMap<>();
        public Map<String, Volume> volumes = new LinkedHashMap<>();
        public Map<String, Snapshot> snapshots = new LinkedHashMap<>();
        public Map<String, TokenUse> clientTokens = new TreeMap<>();
        public Ec2Faults faults = new Ec2Faults();
    }

    static final class Instance {
        public String id;
        public String zone;
    }

    static final class Attachment {
        public String instanceId;
        public String device;
        /** attaching, attached, detaching. */
        public String state;
        public long attachTime;
        /** When attaching/detaching completes. */
        public long until;
    }

    static final class Volume {
        public String id;
        public String zone;
        /** creating, available, in-use, deleting, deleted, error. */
        public String state;
        public int sizeGiB;
        public String type;
        public Integer iops;
        public Integer throughput;
        public boolean encrypted;
        public String kmsKeyId;
        public String snapshotId;
        public long createTime;
        /** When the current transition (creating/deleting/deleted-purge) is due; 0 when none. */
        public long transitionAt;
        /** Set when the volume ends in error instead of available. */
        public boolean failCreate;
        /** DescribeVolumes does not see it before this instant. */
        public long visibleAt;
        public Map<String, String> tags = new TreeMap<>();
        public Attachment attachment;
        // content
        public String baseFingerprint;
        public long baseWrites;
        /** Writes since base, folded at the last time writing stopped or started. */
        public long localWrites;
        public boolean writing;
        public long writingSince;
        /** Total writes captured by the last completed snapshot of this lineage; -1 when none (next is full). */
        public long lastSnapshotWrites = -1;
        /** World time of the last CreateSnapshot request on this volume; -1 when none. */
        public long lastSnapshotRequest = -1;
    }

    static final class Snapshot {
        public String id;
        public String volumeId;
        /** pending, completed, error. */
        public String state;
        public long startTime;
        public long completeAt;
        public boolean fails;
        public int sizeGiB;
        public String description;
        public boolean encrypted;
        public String kmsKeyId;
        public String fingerprint;
        public long writes;
        public Map<String, String> tags = new TreeMap<>();
    }

    static final class TokenUse {
        public String volumeId;
        public String paramsHash;
    }

    private final State s;

    private Ec2World(State state) {
        this.s = state;
    }

    public static Ec2World empty(String region) {
        State st = new State();
        st.region = region;
        for (char c = 'a'; c <= (region.equals("us-east-1") ? 'f' : 'c'); c++) {
            st.zones.add(region + c);
        }
        return new Ec2World(st);
    }

    public static Ec2World fromJson(String json) {
        try {
            return new Ec2World(JSON.readValue(json, State.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad EC2 world state: " + e.getOriginalMessage(), e);
        }
    }

    /** One line of JSON (no newline inside) that {@link #fromJson} restores exactly. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Used by the Kubernetes half (kubelet, attach/detach controller, provisioner) and by scenarios ----

    /** What the Kubernetes side may know of a volume; null from {@link #volume} when there is none. */
    public record VolumeView(String id, String zone, String state, int sizeGiB, String type,
                             java.util.List<String> attachedInstanceIds) {
    }

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

    /** The mutable fault settings; changes are persisted with the world. */
    public Ec2Faults faults() {
        return s.faults;
    }

    /** An EC2 instance (a node) exists in a zone; attach checks it. */
    public void registerInstance(String instanceId, String zone) {
        Instance i = new Instance();
        i.id = instanceId;
        i.zone = zone;
        s.instances.put(instanceId, i);
        if (!s.zones.contains(zone) && zone.startsWith(s.region)) {
            s.zones.add(zone);
            s.zones.sort(null);
        }
    }

    /** The zone of a registered instance, or null. */
    public String instanceZone(String instanceId) {
        Instance i = s.instances.get(instanceId);
        return i == null ? null : i.zone;
    }

    /**
     * Creates a volume as a provisioner (or a scenario) would; returns its id. When {@code available}
     * the volume exists at once, otherwise it goes through {@code creating} with the modelled duration.
     */
    public String createVolume(String zone, int sizeGiB, String volumeType, Integer iops, Integer throughput,
                               boolean encrypted, String kmsKeyId, Map<String, String> tags, long now,
                               boolean available) {
        CreateVolumeRequest r = new CreateVolumeRequest();
        r.zone = zone;
        r.sizeGiB = sizeGiB;
        r.type = volumeType;
        r.iops = iops;
        r.throughput = throughput;
        r.encrypted = encrypted;
        r.kmsKeyId = kmsKeyId;
        r.tags = tags == null ? Map.of() : tags;
        Volume v = createVolume(r, now);
        v.visibleAt = now;
        if (available && "creating".equals(v.state)) {
            v.state = v.failCreate ? "error" : "available";
            v.transitionAt = 0;
        }
        return v.id;
    }

    public VolumeView volume(String volumeId) {
        Volume v = s.volumes.get(volumeId);
        if (v == null) {
            return null;
        }
        List<String> attached = v.attachment == null ? List.of() : List.of(v.attachment.instanceId);
        return new VolumeView(v.id, v.zone, v.state, v.sizeGiB, v.type, attached);
    }

    /** Starts attaching; returns null, or the EC2 error code (InvalidVolume.ZoneMismatch, VolumeInUse, ...). */
    public String attach(String volumeId, String instanceId, long now) {
        try {
            attachVolume(volumeId, instanceId, "/dev/xvdba", now);
            return null;
        } catch (Ec2Error e) {
            return e.code();
        }
    }

    /** True once the attachment to that instance has completed ({@code attached}). */
    public boolean isAttached(String volumeId, String instanceId) {
        Volume v = s.volumes.get(volumeId);
        return v != null && v.attachment != null && v.attachment.instanceId.equals(instanceId)
                && "attached".equals(v.attachment.state);
    }

    /** Starts detaching from that instance (no-op when not attached there). */
    public void detach(String volumeId, String instanceId, long now) {
        Volume v = s.volumes.get(volumeId);
        if (v == null || v.attachment == null || !v.attachment.instanceId.equals(instanceId)
                || "detaching".equals(v.attachment.state)) {
            return;
        }
        startDetach(v, now);
    }

    /** Deletes a volume as a reclaim policy of Delete would; false when it is attached or absent. */
    public boolean deleteVolume(String volumeId, long now) {
        try {
            deleteVolumeApi(volumeId, now);
            return true;
        } catch (Ec2Error e) {
            return false;
        }
    }

    /** A running container starts or stops writing to the volume at the modelled steady rate. */
    public void setWriting(String volumeId, boolean writing, long now) {
        Volume v = s.volumes.get(volumeId);
        if (v == null) {
            return;
        }
        if (writing) {
            if (v.writing || v.attachment == null || !"attached".equals(v.attachment.state)) {
                return; // only an attached volume can be written
            }
            v.writing = true;
            v.writingSince = now;
        } else {
            foldWrites(v, now);
        }
    }

    /** The volume's content fingerprint at {@code now} (16 hex chars), or null when there is no such volume. */
    public String fingerprint(String volumeId, long now) {
        Volume v = s.volumes.get(volumeId);
        return v == null ? null : fingerprintOf(v, now);
    }

    /** Total writes the volume's content holds at {@code now} (including those inherited from its snapshot). */
    public long writes(String volumeId, long now) {
        Volume v = s.volumes.get(volumeId);
        return v == null ? -1 : v.baseWrites + localWrites(v, now);
    }

    // ------------------------------------------------------------------ content

    private static long localWrites(Volume v, long now) {
        long extra = v.writing ? Math.max(0, now - v.writingSince) * WRITES_PER_SEC / 1000 : 0;
        return v.localWrites + extra;
    }

    private static void foldWrites(Volume v, long now) {
        if (v.writing) {
            v.localWrites = localWrites(v, now);
            v.writing = false;
            v.writingSince = 0;
        }
    }

    private static String fingerprintOf(Volume v, long now) {
        long local = localWrites(v, now);
        return local == 0 ? v.baseFingerprint : sha16(v.baseFingerprint + ":" + v.id + ":" + local);
    }

    static String sha16(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String nextId(String prefix) {
        s.counter++;
        return prefix + "-" + sha16Long(s.region + ":" + prefix + ":" + s.counter);
    }

    private static String sha16Long(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 17);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ API-level operations (used by Ec2Endpoint)

    /** Parameters of CreateVolume, as the endpoint parsed them. */
    static final class CreateVolumeRequest {
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

        String hash() {
            return sha16(zone + "|" + sizeGiB + "|" + snapshotId + "|" + type + "|" + iops + "|" + throughput + "|"
                    + encrypted + "|" + kmsKeyId + "|" + new TreeMap<>(tags));
        }
    }

    /** CreateVolume with EC2's validation, ClientToken idempotency and faults. Validates before it mutates. */
    Volume createVolume(CreateVolumeRequest r, long now) {
        if (r.clientToken != null) {
            TokenUse use = s.clientTokens.get(r.clientToken);
            if (use != null) {
                Volume prior = s.volumes.get(use.volumeId);
                if (!use.paramsHash.equals(r.hash()) || prior == null || "error".equals(prior.state)) {
                    throw new Ec2Error("IdempotentParameterMismatch", "The client token you have provided is "
                            + "associated with a resource that is already deleted or failed, or with different "
                            + "parameters. Please use a different client token.");
                }
                return prior;
            }
        }
        if (r.zone == null) {
            throw Ec2Error.missing("AvailabilityZone");
        }
        if (!s.zones.contains(r.zone)) {
            // terraform issue #6110: "InvalidZone.NotFound: The zone 'us-west-2a' does not exist."
            throw new Ec2Error("InvalidZone.NotFound", "The zone '" + r.zone + "' does not exist.");
        }
        Snapshot snap = null;
        if (r.snapshotId != null) {
            snap = s.snapshots.get(r.snapshotId);
            if (snap == null) {
                throw Ec2Error.snapshotNotFound(r.snapshotId);
            }
            if (!"completed".equals(snap.state)) {
                // velero issue #1799 and driver code: "Snapshot is in invalid state - pending (IncorrectState)"
                throw new Ec2Error("IncorrectState", "Snapshot is in invalid state - " + snap.state);
            }
        }
        int size;
        if (r.sizeGiB == null) {
            if (snap == null) {
                throw Ec2Error.missing("size or snapshotId");
            }
            size = snap.sizeGiB;
        } else {
            size = r.sizeGiB;
            if (snap != null && size < snap.sizeGiB) {
                throw Ec2Error.invalid("Volume of " + size + "GiB is too small; minimum is " + snap.sizeGiB
                        + "GiB for snapshot '" + snap.id + "'.");
            }
        }
        String type = r.type == null ? "gp2" : r.type;
        if (!List.of("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard").contains(type)) {
            throw Ec2Error.invalid("Value (" + type + ") for parameter volumeType is invalid.");
        }
        if (size < 1 || size > 65536) {
            throw Ec2Error.invalid("Volume size " + size + " is out of range.");
        }
        Integer iops = r.iops;
        Integer throughput = r.throughput;
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
            throw new Ec2Error("InvalidParameterCombination", "Throughput is only valid for gp3 volumes.");
        }
        boolean encrypted = Boolean.TRUE.equals(r.encrypted) || (snap != null && snap.encrypted);
        if (r.kmsKeyId != null && !encrypted) {
            throw new Ec2Error("InvalidParameterDependency",
                    "The parameter KmsKeyId requires the parameter Encrypted to be set.");
        }
        Ec2Faults.ZoneFault zf = s.faults.createVolumeZoneFaults.get(r.zone);
        if (zf == Ec2Faults.ZoneFault.REJECT) {
            throw new Ec2Error("InsufficientVolumeCapacity", "There is currently insufficient capacity to "
                    + "serve the request. Try again at a later time or in a different availability zone.");
        }
        // ---- all checks passed: mutate
        Volume v = new Volume();
        v.id = nextId("vol");
        v.zone = r.zone;
        v.state = "creating";
        v.sizeGiB = size;
        v.type = type;
        v.iops = iops;
        v.throughput = throughput;
        v.encrypted = encrypted;
        v.kmsKeyId = r.kmsKeyId != null ? r.kmsKeyId : (snap != null ? snap.kmsKeyId : null);
        if (encrypted && v.kmsKeyId == null) {
            v.kmsKeyId = "arn:aws:kms:" + s.region + ":" + OWNER_ID + ":key/aws-ebs-default";
        }
        v.snapshotId = snap == null ? null : snap.id;
        v.createTime = now;
        v.failCreate = zf == Ec2Faults.ZoneFault.ERROR;
        v.visibleAt = now + s.faults.describeLagMillis;
        v.tags = new TreeMap<>(r.tags);
        if (snap == null) {
            v.baseFingerprint = EMPTY_FINGERPRINT;
            v.baseWrites = 0;
            v.transitionAt = now + CREATE_EMPTY_MS;
        } else {
            v.baseFingerprint = snap.fingerprint;
            v.baseWrites = snap.writes;
            // Snapshots of a volume restored from a snapshot are incremental to that snapshot.
            v.lastSnapshotWrites = snap.writes;
            v.transitionAt = now + Math.min(CREATE_FROM_SNAPSHOT_MAX_MS,
                    CREATE_FROM_SNAPSHOT_BASE_MS + CREATE_FROM_SNAPSHOT_PER_GIB_MS * size);
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

    /** A volume the API can see at {@code now}, or InvalidVolume.NotFound. */
    Volume visibleVolume(String id, long now) {
        Volume v = s.volumes.get(id);
        if (v == null || now < v.visibleAt) {
            throw Ec2Error.volumeNotFound(id);
        }
        return v;
    }

    boolean isVisible(Volume v, long now) {
        return now >= v.visibleAt;
    }

    Snapshot existingSnapshot(String id) {
        Snapshot sn = s.snapshots.get(id);
        if (sn == null) {
            throw Ec2Error.snapshotNotFound(id);
        }
        return sn;
    }

    List<Volume> allVolumes() {
        return new ArrayList<>(s.volumes.values());
    }

    List<Snapshot> allSnapshots() {
        return new ArrayList<>(s.snapshots.values());
    }

    Attachment attachVolume(String volumeId, String instanceId, String device, long now) {
        Volume v = s.volumes.get(volumeId);
        if (v == null || "deleted".equals(v.state)) {
            throw Ec2Error.volumeNotFound(volumeId);
        }
        Instance inst = s.instances.get(instanceId);
        if (inst == null) {
            throw new Ec2Error("InvalidInstanceID.NotFound", "The instance ID '" + instanceId + "' does not exist");
        }
        if (v.attachment != null || "in-use".equals(v.state)) {
            throw new Ec2Error("VolumeInUse", v.id + " is already attached to an instance");
        }
        if (!"available".equals(v.state)) {
            throw new Ec2Error("IncorrectState", "The volume '" + v.id + "' is not in 'available' state; it is '"
                    + v.state + "'.");
        }
        if (!inst.zone.equals(v.zone)) {
            throw new Ec2Error("InvalidVolume.ZoneMismatch", "The volume '" + v.id + "' is not in the same "
                    + "availability zone as instance '" + instanceId + "'");
        }
        Attachment a = new Attachment();
        a.instanceId = instanceId;
        a.device = device;
        a.state = "attaching";
        a.attachTime = now;
        a.until = now + ATTACH_MS;
        v.attachment = a;
        v.state = "in-use";
        return a;
    }

    Attachment detachVolume(String volumeId, String instanceId, long now) {
        Volume v = s.volumes.get(volumeId);
        if (v == null || "deleted".equals(v.state)) {
            throw Ec2Error.volumeNotFound(volumeId);
        }
        if (v.attachment == null) {
            throw new Ec2Error("IncorrectState", "Volume '" + v.id + "' is in the '" + v.state + "' state.");
        }
        if (instanceId != null && !instanceId.equals(v.attachment.instanceId)) {
            throw new Ec2Error("InvalidAttachment.NotFound", "Volume '" + v.id
                    + "' is not attached to instance '" + instanceId + "'");
        }
        if (!"detaching".equals(v.attachment.state)) {
            startDetach(v, now);
        }
        return v.attachment;
    }

    private void startDetach(Volume v, long now) {
        foldWrites(v, now);
        v.attachment.state = "detaching";
        v.attachment.until = now + DETACH_MS;
    }

    void deleteVolumeApi(String volumeId, long now) {
        Volume v = s.volumes.get(volumeId);
        if (v == null || "deleted".equals(v.state)) {
            throw Ec2Error.volumeNotFound(volumeId);
        }
        if (v.attachment != null) {
            throw new Ec2Error("VolumeInUse", "Volume " + v.id + " is currently attached to "
                    + v.attachment.instanceId);
        }
        if ("deleting".equals(v.state)) {
            return;
        }
        if ("creating".equals(v.state)) {
            throw new Ec2Error("IncorrectState", "The volume '" + v.id + "' is 'creating'.");
        }
        foldWrites(v, now);
        v.state = "deleting";
        v.transitionAt = now + DELETE_MS;
    }

    Snapshot createSnapshot(String volumeId, String description, Map<String, String> tags, long now) {
        Volume v = s.volumes.get(volumeId);
        if (v == null || "deleted".equals(v.state) || now < v.visibleAt) {
            throw Ec2Error.volumeNotFound(volumeId);
        }
        if (!"available".equals(v.state) && !"in-use".equals(v.state)) {
            throw new Ec2Error("IncorrectState", "The volume '" + v.id + "' is in state '" + v.state
                    + "' and cannot be snapshotted.");
        }
        long pending = s.snapshots.values().stream()
                .filter(x -> x.volumeId.equals(v.id) && "pending".equals(x.state)).count();
        int maxPending = "st1".equals(v.type) || "sc1".equals(v.type) ? 1 : 5;
        if (pending >= maxPending) {
            throw new Ec2Error("ConcurrentSnapshotLimitExceeded", "Maximum number of concurrent snapshots ("
                    + maxPending + ") for volume '" + v.id + "' exceeded.");
        }
        if (v.lastSnapshotRequest >= 0 && now - v.lastSnapshotRequest < SNAPSHOT_RATE_MS) {
            throw new Ec2Error("SnapshotCreationPerVolumeRateExceeded", "The maximum per volume CreateSnapshot "
                    + "request rate has been exceeded. Use an increasing or variable sleep interval between "
                    + "requests.");
        }
        Snapshot sn = new Snapshot();
        sn.id = nextId("snap");
        sn.volumeId = v.id;
        sn.state = "pending";
        sn.startTime = now;
        sn.sizeGiB = v.sizeGiB;
        sn.description = description == null ? "" : description;
        sn.encrypted = v.encrypted;
        sn.kmsKeyId = v.kmsKeyId;
        sn.fingerprint = fingerprintOf(v, now);
        sn.writes = v.baseWrites + localWrites(v, now);
        sn.tags = new TreeMap<>(tags == null ? Map.of() : tags);
        long changedMiB = v.lastSnapshotWrites < 0
                ? v.sizeGiB * 1024L
                : Math.min(v.sizeGiB * 1024L, Math.max(0, sn.writes - v.lastSnapshotWrites) * MIB_PER_WRITE);
        sn.completeAt = now + SNAPSHOT_BASE_MS + changedMiB * 1000 / SNAPSHOT_MIB_PER_SEC;
        if (s.faults.failNextSnapshots != 0) {
            sn.fails = true;
            if (s.faults.failNextSnapshots > 0) {
                s.faults.failNextSnapshots--;
            }
        }
        v.lastSnapshotRequest = now;
        s.snapshots.put(sn.id, sn);
        return sn;
    }

    void deleteSnapshot(String snapshotId) {
        Snapshot sn = existingSnapshot(snapshotId);
        s.snapshots.remove(sn.id);
    }

    void createTags(List<String> resourceIds, Map<String, String> tags, long now) {
        for (String id : resourceIds) {
            if (id.startsWith("vol-")) {
                Volume v = s.volumes.get(id);
                if (v == null || now < v.visibleAt || "deleted".equals(v.state)) {
                    throw Ec2Error.volumeNotFound(id);
                }
            } else if (id.startsWith("snap-")) {
                existingSnapshot(id);
            } else {
                throw new Ec2Error("InvalidID", "The ID '" + id + "' is not valid");
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
            throw new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
        }
        if (s.faults.failNextCalls > 0) {
            s.faults.failNextCalls--;
            throw new Ec2Error("InternalError", "An internal error has occurred", 500);
        }
    }

    // ------------------------------------------------------------------ derived views

    String volumeFingerprint(Volume v, long now) {
        return fingerprintOf(v, now);
    }

    long volumeWrites(Volume v, long now) {
        return v.baseWrites + localWrites(v, now);
    }

    /** Progress percent of a snapshot at {@code now} (grows linearly; 100 once completed). */
    static int progress(Snapshot sn, long now) {
        if ("completed".equals(sn.state)) {
            return 100;
        }
        if ("error".equals(sn.state)) {
            return 0;
        }
        long span = Math.max(1, sn.completeAt - sn.startTime);
        return (int) Math.min(99, Math.max(0, (now - sn.startTime) * 100 / span));
    }

    // ------------------------------------------------------------------ time

    public long nextEventAt() {
        long next = Long.MAX_VALUE;
        for (Volume v : s.volumes.values()) {
            if (v.transitionAt > 0) {
                next = Math.min(next, v.transitionAt);
            }
            if (v.attachment != null && !"attached".equals(v.attachment.state)) {
                next = Math.min(next, v.attachment.until);
            }
        }
        for (Snapshot sn : s.snapshots.values()) {
            if ("pending".equals(sn.state)) {
                next = Math.min(next, sn.completeAt);
            }
        }
        return next;
    }

    public void advanceTo(long now) {
        while (true) {
            long next = nextEventAt();
            if (next > now) {
                return;
            }
            applyEventsAt(next);
        }
    }

    /** Applies every transition due exactly at {@code t}, in a fixed order (snapshots, then volumes by id order). */
    private void applyEventsAt(long t) {
        for (Snapshot sn : s.snapshots.values()) {
            if ("pending".equals(sn.state) && sn.completeAt == t) {
                if (sn.fails) {
                    sn.state = "error";
                } else {
                    sn.state = "completed";
                    Volume v = s.volumes.get(sn.volumeId);
                    if (v != null && sn.writes > v.lastSnapshotWrites) {
                        v.lastSnapshotWrites = sn.writes;
                    }
                }
            }
        }
        List<String> purge = new ArrayList<>();
        for (Volume v : s.volumes.values()) {
            if (v.transitionAt == t) {
                switch (v.state) {
                    case "creating" -> {
                        v.state = v.failCreate ? "error" : "available";
                        v.transitionAt = 0;
                    }
                    case "deleting" -> {
                        v.state = "deleted";
                        v.transitionAt = t + DELETED_VISIBLE_MS;
                    }
                    case "deleted" -> purge.add(v.id);
                    default -> v.transitionAt = 0;
                }
            }
            Attachment a = v.attachment;
            if (a != null && !"attached".equals(a.state) && a.until == t) {
                if ("attaching".equals(a.state)) {
                    a.state = "attached";
                } else {
                    v.attachment = null;
                    if ("in-use".equals(v.state)) {
                        v.state = "available";
                    }
                }
            }
        }
        purge.forEach(s.volumes::remove);
    }

    // ------------------------------------------------------------------ show

    public Map<String, Object> show(long now) {
        List<Object> vols = new ArrayList<>();
        for (Volume v : s.volumes.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", v.id);
            m.put("zone", v.zone);
            m.put("state", v.state);
            m.put("sizeGiB", v.sizeGiB);
            m.put("type", v.type);
            m.put("iops", v.iops);
            m.put("throughput", v.throughput);
            m.put("encrypted", v.encrypted);
            m.put("kmsKeyId", v.kmsKeyId);
            m.put("snapshotId", v.snapshotId);
            m.put("fingerprint", fingerprintOf(v, now));
            m.put("writes", volumeWrites(v, now));
            m.put("writing", v.writing);
            m.put("tags", new LinkedHashMap<>(v.tags));
            List<Object> atts = new ArrayList<>();
            if (v.attachment != null) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("instanceId", v.attachment.instanceId);
                a.put("device", v.attachment.device);
                a.put("state", v.attachment.state);
                a.put("attachTime", Instant.ofEpochMilli(v.attachment.attachTime).toString());
                atts.add(a);
            }
            m.put("attachments", atts);
            m.put("createTime", Instant.ofEpochMilli(v.createTime).toString());
            vols.add(m);
        }
        List<Object> snaps = new ArrayList<>();
        for (Snapshot sn : s.snapshots.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", sn.id);
            m.put("volumeId", sn.volumeId);
            m.put("state", sn.state);
            m.put("progress", progress(sn, now));
            m.put("sizeGiB", sn.sizeGiB);
            m.put("fingerprint", sn.fingerprint);
            m.put("writes", sn.writes);
            m.put("tags", new LinkedHashMap<>(sn.tags));
            m.put("startTime", Instant.ofEpochMilli(sn.startTime).toString());
            m.put("description", sn.description);
            snaps.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("volumes", vols);
        out.put("snapshots", snaps);
        out.put("ec2Faults", s.faults.toString());
        return out;
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
