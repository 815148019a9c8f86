package io.zonemover.sim.ec2;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the EC2 half persists: plain records with public fields, so that Jackson writes them and reads them
 * back exactly (a world directory written by an older build must still load; add fields, do not rename).
 *
 * <p>Only fields are serialized (never getters), so helper methods here do not leak into the file.
 */
final class Ec2State {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String region;
    /** Feeds the ids: a hash of region and counter, so a reloaded world hands out the same ids. */
    public long counter;
    public List<String> zones = new ArrayList<>();
    public Map<String, Instance> instances = new TreeMap<>();
    public Map<String, Volume> volumes = new LinkedHashMap<>();
    public Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    public Map<String, TokenUse> clientTokens = new TreeMap<>();
    public Ec2Faults faults = new Ec2Faults();
    /** Zones that are down (an outage: {@code sim fault --zone-down}) -> world time they went down. */
    public Map<String, Long> downZones = new TreeMap<>();
    /**
     * MiB each write of a running container changes (it writes {@link Ec2World#WRITES_PER_SEC} a second): the
     * world's write rate in MiB/s. 1 unless a scenario asks for more ({@code --set writeMiBps=N}).
     */
    public long mibPerWrite = Ec2World.MIB_PER_WRITE;

    static Ec2State fromJson(String json) {
        try {
            return JSON.readValue(json, Ec2State.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad EC2 world state: " + e.getOriginalMessage(), e);
        }
    }

    /** One line of JSON (no newline inside) that {@link #fromJson} restores exactly. */
    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next id with that prefix ({@code vol}, {@code snap}): deterministic, 17 hex digits like EC2's. */
    boolean zoneDown(String zone) {
        return zone != null && downZones.containsKey(zone);
    }

    String nextId(String prefix) {
        counter++;
        return prefix + "-" + Content.sha(region + ":" + prefix + ":" + counter, 17);
    }

    /** An EC2 instance (a node's); attach checks its zone. */
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
        /** A detach the cluster asked for while the zone was down: it starts when the zone is back. */
        public boolean detachWhenUp;
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
        // content (see Content)
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
        // initialization (see Initialization)
        /** The Provisioned Rate for Volume Initialization asked at CreateVolume (MiB/s); null when none. */
        public Integer initializationRate;
        /** Created from a snapshot with fast snapshot restore enabled in its zone (and no rate asked). */
        public boolean fastRestored;
        /** When the volume's blocks began loading (it became available); 0 when there is nothing to load. */
        public long initStart;
        /** When all of its blocks are loaded: full speed from then on; 0 when there is nothing to load. */
        public long initializedAt;
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
        /**
         * Set while the volume's zone is down: the snapshot makes no progress, {@link #completeAt} is then when it
         * ends in error, and {@link #remainingMs} what it still needs once the zone is back.
         */
        public boolean stalled;
        public long remainingMs;
        /** EC2's StateMessage for a snapshot in error; null for the default (an injected fault). */
        public String stateMessage;
        /** When it completed (CompletionTime); 0 while pending or for a world saved before this was kept. */
        public long completionTime;
        /** Fast snapshot restore of this snapshot, per Availability Zone it was ever enabled in. */
        public Map<String, FastRestore> fastRestores = new TreeMap<>();
    }

    /** Fast snapshot restore of one snapshot in one zone: enabling -> optimizing -> enabled; disabling -> disabled. */
    static final class FastRestore {
        public String state;
        /** When the current state ends (enabling, optimizing, disabling); 0 when it lasts. */
        public long transitionAt;
        public long enablingTime;
        public long optimizingTime;
        public long enabledTime;
        public long disablingTime;
        public long disabledTime;
    }

    /** A ClientToken already used: the volume it created and a hash of the parameters it came with. */
    static final class TokenUse {
        public String volumeId;
        public String paramsHash;
    }
}
