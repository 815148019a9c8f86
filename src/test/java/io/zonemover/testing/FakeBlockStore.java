package io.zonemover.testing;

import io.zonemover.aws.BlockStore;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.PortError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * EC2 as the block store port sees it, in memory: volumes (creating, available, in-use), snapshots (pending,
 * completed, error) whose state a test advances with {@link #tick()}, tags, and ClientToken idempotency on
 * CreateVolume (the same token with other parameters is IdempotentParameterMismatch, as on EC2). Ids are
 * sequential per instance, so two runs of the same story name the same resources. Every port call goes
 * through {@link #faults()}.
 */
public final class FakeBlockStore implements BlockStore {

    /** A volume, mutable so a test can put it in any state. */
    public static final class Volume {
        public final String id;
        public String zone;
        public String state;
        public int sizeGiB;
        public String type;
        public Integer iops;
        public Integer throughput;
        public boolean encrypted;
        public String kmsKeyId;
        public String snapshotId;
        public final Map<String, String> tags = new LinkedHashMap<>();
        public final List<String> attachments = new ArrayList<>();
        /** Set while its attachments are detaching (a test's {@link #startDetach}); in-use until {@link #detach}. */
        public boolean detaching;
        /** The VolumeInitializationRate it was created with; null when none. */
        public Integer initializationRate;
        /** Created from a snapshot with fast snapshot restore enabled in its zone (and no rate asked). */
        public boolean fastRestored;
        int ticksLeft;
        boolean willFail;

        Volume(String id) {
            this.id = id;
        }

        EbsVolume view() {
            return new EbsVolume(id, zone, state, sizeGiB, type, iops, throughput, encrypted, kmsKeyId, snapshotId,
                    Map.copyOf(tags), List.copyOf(attachments),
                    attachments.stream().map(a -> detaching ? "detaching" : "attached").toList());
        }
    }

    /** A snapshot, mutable so a test can put it in any state. */
    public static final class Snapshot {
        public final String id;
        public final String volumeId;
        public String state = "pending";
        public String message;
        public final Instant startTime;
        public final Map<String, String> tags = new LinkedHashMap<>();
        /** When it completed, in the fake cloud's clock (its start + {@link #tookSeconds}); null while pending. */
        public Instant completionTime;
        /** How long EC2 says it took, start to completion ({@link #snapshotsTake}). */
        long tookSeconds;
        /** Fast snapshot restore state per zone (enabling, optimizing, enabled, disabling, disabled). */
        public final Map<String, String> fastRestores = new TreeMap<>();
        int ticksLeft;
        boolean willFail;

        Snapshot(String id, String volumeId, Instant startTime) {
            this.id = id;
            this.volumeId = volumeId;
            this.startTime = startTime;
        }

        EbsSnapshot view() {
            String progress = "completed".equals(state) ? "100%" : "pending".equals(state) ? "40%" : "0%";
            return new EbsSnapshot(id, volumeId, state, progress, message, startTime, Map.copyOf(tags),
                    completionTime);
        }
    }

    private record Token(String volumeId, String request) {
    }

    private final Faults faults = new Faults("EC2");
    private final List<String> zones = new ArrayList<>();
    private final Map<String, Volume> volumes = new LinkedHashMap<>();
    private final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    private final Map<String, Token> tokens = new HashMap<>();
    private int nextId = 1;
    private long clock = 1_700_000_000L;
    private int snapshotTicks = 1;
    private int volumeTicks = 1;
    private int failSnapshots;
    private final java.util.ArrayDeque<Long> snapshotSeconds = new java.util.ArrayDeque<>(List.of(60L));
    private int failVolumes;

    public FakeBlockStore(String... zones) {
        this.zones.addAll(List.of(zones));
    }

    public Faults faults() {
        return faults;
    }

    // ---- test controls (not port calls: not logged, never fail) ----

    /** How many {@link #tick()}s a new snapshot stays pending, and a new volume creating (at least 1). */
    public synchronized FakeBlockStore durations(int snapshotTicks, int volumeTicks) {
        this.snapshotTicks = Math.max(1, snapshotTicks);
        this.volumeTicks = Math.max(1, volumeTicks);
        return this;
    }

    /**
     * How long (in the cloud's clock, start to CompletionTime) the next snapshots take: one value each, the last one
     * for all after (default 60 s). A snapshot's ticks pending are set by {@link #durations} apart from this.
     */
    public synchronized FakeBlockStore snapshotsTake(long... seconds) {
        snapshotSeconds.clear();
        for (long s : seconds) {
            snapshotSeconds.add(s);
        }
        return this;
    }

    /** The next {@code n} snapshots started end in error instead of completing. */
    public synchronized FakeBlockStore failNextSnapshots(int n) {
        failSnapshots = n;
        return this;
    }

    /** The next {@code n} volumes created end in error instead of becoming available. */
    public synchronized FakeBlockStore failNextVolumes(int n) {
        failVolumes = n;
        return this;
    }

    /** Adds a volume as it is now (state available unless attached). */
    public synchronized Volume addVolume(String zone, int sizeGiB, String type, Map<String, String> tags) {
        Volume v = new Volume(id("vol-"));
        v.zone = zone;
        v.state = "available";
        v.sizeGiB = sizeGiB;
        v.type = type;
        v.tags.putAll(tags);
        volumes.put(v.id, v);
        return v;
    }

    /**
     * One step of EC2's time: pending snapshots and creating volumes move on, and fast snapshot restores move one
     * state on (enabling, optimizing, enabled; disabling, disabled).
     */
    public synchronized void tick() {
        for (Snapshot s : snapshots.values()) {
            if ("pending".equals(s.state) && --s.ticksLeft <= 0) {
                s.state = s.willFail ? "error" : "completed";
                s.message = s.willFail ? "injected snapshot failure" : null;
                s.completionTime = s.willFail ? null : s.startTime.plusSeconds(s.tookSeconds);
            }
            s.fastRestores.replaceAll((zone, state) -> switch (state) {
                case "enabling" -> "optimizing";
                case "optimizing" -> "enabled";
                case "disabling" -> "disabled";
                default -> state;
            });
        }
        for (Volume v : volumes.values()) {
            if ("creating".equals(v.state) && --v.ticksLeft <= 0) {
                v.state = v.willFail ? "error" : "available";
            }
        }
    }

    public synchronized void attach(String volumeId, String instanceId) {
        Volume v = volumes.get(volumeId);
        if (v != null && !v.attachments.contains(instanceId)) {
            v.attachments.add(instanceId);
            v.state = "in-use";
        }
    }

    public synchronized void detach(String volumeId) {
        Volume v = volumes.get(volumeId);
        if (v != null && !v.attachments.isEmpty()) {
            v.attachments.clear();
            v.state = "available";
            v.detaching = false;
        }
    }

    /** Its attachments go {@code detaching} (the node has unmounted it); still in-use until {@link #detach}. */
    public synchronized void startDetach(String volumeId) {
        Volume v = volumes.get(volumeId);
        if (v != null && !v.attachments.isEmpty()) {
            v.detaching = true;
        }
    }

    /** Makes a volume vanish whatever its state (someone deleted it behind zonemover's back). */
    public synchronized void removeVolume(String volumeId) {
        volumes.remove(volumeId);
    }

    public synchronized Volume volumeState(String id) {
        return volumes.get(id);
    }

    public synchronized Snapshot snapshotState(String id) {
        return snapshots.get(id);
    }

    public synchronized List<Volume> allVolumes() {
        return List.copyOf(volumes.values());
    }

    public synchronized List<Snapshot> allSnapshots() {
        return List.copyOf(snapshots.values());
    }

    /** Every volume and snapshot with state and tags, one line each, for comparing end states. */
    public synchronized String fingerprint() {
        StringBuilder out = new StringBuilder();
        volumes.values().forEach(v -> out.append("volume ").append(v.id).append(' ').append(v.zone).append(' ')
                .append(v.state).append(' ').append(v.sizeGiB).append(' ').append(v.type).append(" from=")
                .append(v.snapshotId).append(" attached=").append(v.attachments).append(' ')
                .append(new TreeMap<>(v.tags)).append(" rate=").append(v.initializationRate).append(" fastRestored=")
                .append(v.fastRestored).append('\n'));
        snapshots.values().forEach(s -> out.append("snapshot ").append(s.id).append(' ').append(s.volumeId)
                .append(' ').append(s.state).append(' ').append(new TreeMap<>(s.tags)).append(" fsr=")
                .append(s.fastRestores).append('\n'));
        return out.toString();
    }

    // ---- the port ----

    @Override
    public List<String> zones() {
        return faults.call("zones", () -> {
            synchronized (this) {
                return List.copyOf(zones);
            }
        });
    }

    @Override
    public Optional<EbsVolume> volume(String volumeId) {
        return faults.call("volume", () -> {
            synchronized (this) {
                return Optional.ofNullable(volumes.get(volumeId)).map(Volume::view);
            }
        }, volumeId);
    }

    @Override
    public List<EbsVolume> volumes(List<String> volumeIds) {
        return faults.call("volumes", () -> {
            synchronized (this) {
                return volumeIds.stream().map(volumes::get).filter(Objects::nonNull).map(Volume::view).toList();
            }
        }, List.copyOf(volumeIds));
    }

    @Override
    public List<EbsSnapshot> snapshots(List<String> snapshotIds) {
        return faults.call("snapshots", () -> {
            synchronized (this) {
                return snapshotIds.stream().map(snapshots::get).filter(Objects::nonNull).map(Snapshot::view).toList();
            }
        }, List.copyOf(snapshotIds));
    }

    @Override
    public List<EbsVolume> volumesTagged(String key, String value) {
        return faults.call("volumesTagged", () -> {
            synchronized (this) {
                return volumes.values().stream().filter(v -> v.tags.containsKey(key)
                        && ("*".equals(value) || value.equals(v.tags.get(key)))).map(Volume::view).toList();
            }
        }, key, value);
    }

    @Override
    public Optional<EbsSnapshot> snapshot(String snapshotId) {
        return faults.call("snapshot", () -> {
            synchronized (this) {
                return Optional.ofNullable(snapshots.get(snapshotId)).map(Snapshot::view);
            }
        }, snapshotId);
    }

    @Override
    public List<EbsSnapshot> snapshotsTagged(String key, String value) {
        return faults.call("snapshotsTagged", () -> {
            synchronized (this) {
                return snapshots.values().stream().filter(s -> value.equals(s.tags.get(key))).map(Snapshot::view)
                        .toList();
            }
        }, key, value);
    }

    @Override
    public String createSnapshot(String volumeId, String description, Map<String, String> tags) {
        return faults.call("createSnapshot", () -> {
            synchronized (this) {
                if (!volumes.containsKey(volumeId)) {
                    throw ec2(PortError.Kind.NOT_FOUND, "InvalidVolume.NotFound", "volume " + volumeId);
                }
                Snapshot s = new Snapshot(id("snap-"), volumeId, Instant.ofEpochSecond(clock++));
                s.tags.putAll(tags);
                s.ticksLeft = snapshotTicks;
                s.tookSeconds = snapshotSeconds.size() > 1 ? snapshotSeconds.poll() : snapshotSeconds.peek();
                if (failSnapshots > 0) {
                    failSnapshots--;
                    s.willFail = true;
                }
                snapshots.put(s.id, s);
                return s.id;
            }
        }, volumeId, tags);
    }

    @Override
    public String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags,
                               String clientToken) {
        return createVolume(snapshotId, zone, like, tags, clientToken, null);
    }

    @Override
    public String createVolume(String snapshotId, String zone, EbsVolume like, Map<String, String> tags,
                               String clientToken, Integer initializationRate) {
        return faults.call("createVolume", () -> {
            synchronized (this) {
                String request = snapshotId + "|" + zone + "|" + like.type() + "|" + like.sizeGiB() + "|" + like.iops()
                        + "|" + like.throughput() + "|" + like.encrypted() + "|" + like.kmsKeyId() + "|"
                        + initializationRate;
                if (clientToken != null && tokens.containsKey(clientToken)) {
                    Token earlier = tokens.get(clientToken);
                    if (!earlier.request().equals(request)) {
                        throw ec2(PortError.Kind.REJECTED, "IdempotentParameterMismatch", "token " + clientToken);
                    }
                    return earlier.volumeId();
                }
                Snapshot from = snapshots.get(snapshotId);
                if (from == null) {
                    throw ec2(PortError.Kind.NOT_FOUND, "InvalidSnapshot.NotFound", "snapshot " + snapshotId);
                }
                if (!"completed".equals(from.state)) {
                    throw ec2(PortError.Kind.TRANSIENT, "IncorrectState", "snapshot " + snapshotId + " is " + from.state);
                }
                if (!zones.contains(zone)) {
                    throw ec2(PortError.Kind.REJECTED, "InvalidParameterValue", "zone " + zone);
                }
                Volume v = new Volume(id("vol-"));
                v.zone = zone;
                v.state = "creating";
                v.sizeGiB = like.sizeGiB();
                v.type = like.type();
                v.iops = like.iops();
                v.throughput = like.throughput();
                v.encrypted = like.encrypted();
                v.kmsKeyId = like.kmsKeyId();
                v.snapshotId = snapshotId;
                v.tags.putAll(tags);
                v.initializationRate = initializationRate;
                v.fastRestored = initializationRate == null && "enabled".equals(from.fastRestores.get(zone));
                v.ticksLeft = volumeTicks;
                if (failVolumes > 0) {
                    failVolumes--;
                    v.willFail = true;
                }
                volumes.put(v.id, v);
                if (clientToken != null) {
                    tokens.put(clientToken, new Token(v.id, request));
                }
                return v.id;
            }
        }, snapshotId, zone, tags, clientToken);
    }

    @Override
    public Map<String, String> enableFastSnapshotRestores(List<String> snapshotIds, String zone) {
        return faults.call("enableFastSnapshotRestores", () -> {
            synchronized (this) {
                Map<String, String> states = new LinkedHashMap<>();
                for (String id : snapshotIds) {
                    Snapshot s = snapshots.get(id);
                    if (s == null) {
                        throw ec2(PortError.Kind.NOT_FOUND, "InvalidSnapshot.NotFound", "snapshot " + id);
                    }
                    if (!"completed".equals(s.state)) {
                        throw ec2(PortError.Kind.TRANSIENT, "IncorrectState", "snapshot " + id + " is " + s.state);
                    }
                    s.fastRestores.compute(zone, (z, state) -> state == null || state.startsWith("disabl")
                            ? "enabling" : state);
                    states.put(id, s.fastRestores.get(zone));
                }
                return states;
            }
        }, List.copyOf(snapshotIds), zone);
    }

    @Override
    public Map<String, String> fastSnapshotRestores(List<String> snapshotIds, String zone) {
        return faults.call("fastSnapshotRestores", () -> {
            synchronized (this) {
                Map<String, String> states = new LinkedHashMap<>();
                snapshotIds.stream().map(snapshots::get).filter(Objects::nonNull)
                        .filter(s -> s.fastRestores.containsKey(zone))
                        .forEach(s -> states.put(s.id, s.fastRestores.get(zone)));
                return states;
            }
        }, List.copyOf(snapshotIds), zone);
    }

    @Override
    public void disableFastSnapshotRestores(List<String> snapshotIds, String zone) {
        faults.run("disableFastSnapshotRestores", () -> {
            synchronized (this) {
                snapshotIds.stream().map(snapshots::get).filter(Objects::nonNull)
                        .filter(s -> s.fastRestores.containsKey(zone) && !s.fastRestores.get(zone).startsWith("disabl"))
                        .forEach(s -> s.fastRestores.put(zone, "disabling"));
            }
        }, List.copyOf(snapshotIds), zone);
    }

    @Override
    public void tag(String resourceId, Map<String, String> tags) {
        faults.run("tag", () -> {
            synchronized (this) {
                if (volumes.containsKey(resourceId)) {
                    volumes.get(resourceId).tags.putAll(tags);
                } else if (snapshots.containsKey(resourceId)) {
                    snapshots.get(resourceId).tags.putAll(tags);
                } else {
                    throw ec2(PortError.Kind.NOT_FOUND, resourceId.startsWith("snap-") ? "InvalidSnapshot.NotFound"
                            : "InvalidVolume.NotFound", resourceId);
                }
            }
        }, resourceId, tags);
    }

    private String id(String prefix) {
        return prefix + String.format("%017x", nextId++);
    }

    private static PortError ec2(PortError.Kind kind, String code, String message) {
        return new PortError(kind, "EC2", code, message, null);
    }

    // ---- zone outage reads (issue 10): plain, no faults ----

    @Override
    public synchronized List<EbsSnapshot> snapshotsOfVolumes(List<String> volumeIds) {
        return snapshots.values().stream().map(Snapshot::view)
                .filter(x -> volumeIds.contains(x.volumeId()))
                .sorted(java.util.Comparator.comparing(EbsSnapshot::startTime,
                        java.util.Comparator.nullsLast(java.util.Comparator.reverseOrder())))
                .toList();
    }

    @Override
    public java.util.Optional<String> instanceState(String instanceId) {
        return java.util.Optional.ofNullable(instanceStates.get(instanceId));
    }

    @Override
    public Map<String, String> volumeStatus(List<String> volumeIds) {
        Map<String, String> status = new java.util.LinkedHashMap<>();
        volumeIds.forEach(id -> status.put(id, impaired.contains(id) ? "impaired" : "ok"));
        return status;
    }

    @Override
    public void deleteSnapshot(String snapshotId) {
        snapshots.remove(snapshotId);
    }

    /** As EC2: an attached volume is refused ({@code VolumeInUse}); one already gone is success. */
    @Override
    public void deleteVolume(String volumeId) {
        faults.call("deleteVolume", () -> {
            synchronized (this) {
                Volume v = volumes.get(volumeId);
                if (v != null && (!v.attachments.isEmpty() || "in-use".equals(v.state))) {
                    throw ec2(PortError.Kind.REJECTED, "VolumeInUse", "volume " + volumeId + " is attached");
                }
                volumes.remove(volumeId);
                return null;
            }
        }, volumeId);
    }

    @Override
    public synchronized java.time.Instant now() {
        return Instant.ofEpochSecond(clock);
    }

    /** Moves the fake cloud's clock (snapshots start at it; now() reads it). */
    public synchronized void advanceClock(long seconds) {
        clock += seconds;
    }

    /** instance id -> EC2 state, for the outage tests. */
    public final Map<String, String> instanceStates = new java.util.HashMap<>();
    /** Volumes DescribeVolumeStatus reports impaired. */
    public final java.util.Set<String> impaired = new java.util.HashSet<>();
}
