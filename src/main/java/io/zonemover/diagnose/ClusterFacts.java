package io.zonemover.diagnose;

import io.zonemover.diagnose.Facts.Claim;
import io.zonemover.diagnose.Facts.Event;
import io.zonemover.diagnose.Facts.MoveRecord;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Facts.StorageClass;
import io.zonemover.diagnose.Facts.Volume;
import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster as detectors see it: the plain records of one read, indexed, immutable. A detector tests
 * against a hand-built one ({@link #builder}) without any Kubernetes object.
 *
 * <p>{@code namespace} is the scope asked for (null: all namespaces). Pods and nodes are the whole
 * cluster when readable, because a node's free capacity counts every pod on it; {@link #inScope} keeps
 * findings to the namespace asked for.
 */
public final class ClusterFacts {

    /** A claim of a pod, resolved: the claim (null when missing) and its bound volume (null when none). */
    public record Mount(String claimName, Claim claim, Volume volume) {
        /** Bound to a volume pinned to a zone. */
        public boolean zonal() {
            return volume != null && volume.zone() != null;
        }

        public Finding.ClaimRef ref() {
            return new Finding.ClaimRef(claimName, volume == null ? null : volume.name(),
                    volume == null ? null : volume.volumeId(), volume == null ? null : volume.zone());
        }
    }

    private final String namespace;
    private final List<Placement.Node> nodes;
    private final List<Pod> pods;
    private final List<Claim> claims;
    private final List<Volume> volumes;
    private final List<StorageClass> storageClasses;
    private final List<StatefulSet> statefulSets;
    private final List<MoveRecord> moves;
    private final RecoveryPoints recoveryPoints;
    private final java.time.Duration rpo;

    private final Map<String, Claim> claimByKey = new HashMap<>();
    private final Map<String, Volume> volumeByName = new HashMap<>();
    private final Map<String, List<Pod>> podsByClaim = new HashMap<>();
    private final Map<String, Pod> podByKey = new HashMap<>();
    private final Map<String, List<Event>> eventsByUid = new HashMap<>();
    private final Map<String, Placement.Node> nodeByName = new HashMap<>();
    private final Map<String, StatefulSet> statefulSetByKey = new HashMap<>();

    ClusterFacts(String namespace, List<Placement.Node> nodes, List<Pod> pods, List<Claim> claims,
                 List<Volume> volumes, List<StorageClass> storageClasses, List<StatefulSet> statefulSets,
                 List<Event> events, List<MoveRecord> moves) {
        this.namespace = namespace;
        this.recoveryPoints = RecoveryPoints.notRead();
        this.rpo = null;
        this.nodes = List.copyOf(nodes);
        this.pods = sorted(pods, Comparator.comparing(Pod::namespace).thenComparing(Pod::name));
        this.claims = List.copyOf(claims);
        this.volumes = List.copyOf(volumes);
        this.storageClasses = sorted(storageClasses, Comparator.comparing(StorageClass::name));
        this.statefulSets = sorted(statefulSets, Comparator.comparing(StatefulSet::namespace)
                .thenComparing(StatefulSet::name));
        this.moves = sorted(moves, Comparator.comparing(MoveRecord::namespace)
                .thenComparing(m -> m.jobId() == null ? "" : m.jobId()).thenComparing(MoveRecord::configMap));
        this.claims.forEach(c -> claimByKey.put(c.key(), c));
        this.volumes.forEach(v -> volumeByName.put(v.name(), v));
        for (Pod pod : this.pods) {
            podByKey.put(pod.key(), pod);
            for (String claim : pod.claims()) {
                podsByClaim.computeIfAbsent(key(pod.namespace(), claim), k -> new ArrayList<>(1)).add(pod);
            }
        }
        for (Event e : events) {
            if (e.involvedUid() != null) {
                eventsByUid.computeIfAbsent(e.involvedUid(), k -> new ArrayList<>(2)).add(e);
            }
        }
        this.nodes.forEach(n -> nodeByName.put(n.name(), n));
        this.statefulSets.forEach(s -> statefulSetByKey.put(key(s.namespace(), s.name()), s));
    }

    /** The same cluster with what EC2 says of its volumes' snapshots, and the recovery point objective asked for. */
    private ClusterFacts(ClusterFacts of, RecoveryPoints recoveryPoints, java.time.Duration rpo) {
        this.namespace = of.namespace;
        this.nodes = of.nodes;
        this.pods = of.pods;
        this.claims = of.claims;
        this.volumes = of.volumes;
        this.storageClasses = of.storageClasses;
        this.statefulSets = of.statefulSets;
        this.moves = of.moves;
        this.recoveryPoints = recoveryPoints;
        this.rpo = rpo;
        claimByKey.putAll(of.claimByKey);
        volumeByName.putAll(of.volumeByName);
        podsByClaim.putAll(of.podsByClaim);
        podByKey.putAll(of.podByKey);
        eventsByUid.putAll(of.eventsByUid);
        nodeByName.putAll(of.nodeByName);
        statefulSetByKey.putAll(of.statefulSetByKey);
    }

    /**
     * These facts plus the volumes' recovery points ({@link RecoveryPoints#notRead()} when none were read)
     * and the recovery point objective of {@code --rpo} (null when not asked).
     */
    public ClusterFacts withRecoveryPoints(RecoveryPoints points, java.time.Duration objective) {
        return new ClusterFacts(this, points == null ? RecoveryPoints.notRead() : points, objective);
    }

    /** Each volume's newest completed snapshot, when read. */
    public RecoveryPoints recoveryPoints() {
        return recoveryPoints;
    }

    /** The recovery point objective asked for ({@code --rpo}); null when not asked. */
    public java.time.Duration rpo() {
        return rpo;
    }

    /** Every volume (PV). */
    public List<Volume> volumes() {
        return volumes;
    }

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** The scope asked for; null means all namespaces. */
    public String namespace() {
        return namespace;
    }

    public boolean inScope(String objectNamespace) {
        return namespace == null || namespace.equals(objectNamespace);
    }

    public List<Placement.Node> nodes() {
        return nodes;
    }

    /** Every pod, by namespace then name. */
    public List<Pod> pods() {
        return pods;
    }

    public List<Claim> claims() {
        return claims;
    }

    /** StorageClasses by name. */
    public List<StorageClass> storageClasses() {
        return storageClasses;
    }

    /** StatefulSets by namespace then name. */
    public List<StatefulSet> statefulSets() {
        return statefulSets;
    }

    /** The records of moves in progress, by namespace then job id. */
    public List<MoveRecord> moves() {
        return moves;
    }

    public Optional<Claim> claim(String namespace, String name) {
        return Optional.ofNullable(claimByKey.get(key(namespace, name)));
    }

    public Optional<Volume> volume(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(volumeByName.get(name));
    }

    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(podByKey.get(key(namespace, name)));
    }

    public Optional<StatefulSet> statefulSet(String namespace, String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(statefulSetByKey.get(key(namespace, name)));
    }

    /** Pods that mount the claim {@code namespace/name}. */
    public List<Pod> podsByClaim(String namespace, String name) {
        return podsByClaim.getOrDefault(key(namespace, name), List.of());
    }

    /** Events whose involvedObject.uid is this uid (so a recreated pod never inherits stale events). */
    public List<Event> eventsFor(String uid) {
        return uid == null ? List.of() : eventsByUid.getOrDefault(uid, List.of());
    }

    /** The zone of the named node; null when the node is unknown or has no zone label. */
    public String nodeZone(String nodeName) {
        Placement.Node node = nodeName == null ? null : nodeByName.get(nodeName);
        return node == null ? null : node.zone();
    }

    /** A claim of {@code namespace}, resolved to its bound volume. */
    public Mount mount(String namespace, String claimName) {
        Claim claim = claimByKey.get(key(namespace, claimName));
        Volume volume = claim == null ? null : volume(claim.volumeName()).orElse(null);
        return new Mount(claimName, claim, volume);
    }

    /** Every claim the pod mounts, in volume order, resolved. */
    public List<Mount> mounts(Pod pod) {
        return pod.claims().stream().map(c -> mount(pod.namespace(), c)).toList();
    }

    private static <T> List<T> sorted(List<T> list, Comparator<T> order) {
        List<T> out = new ArrayList<>(list);
        out.sort(order);
        return List.copyOf(out);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** For tests and tools: collect records, then {@link #build}. */
    public static final class Builder {
        private String namespace;
        private final List<Placement.Node> nodes = new ArrayList<>();
        private final List<Pod> pods = new ArrayList<>();
        private final List<Claim> claims = new ArrayList<>();
        private final List<Volume> volumes = new ArrayList<>();
        private final List<StorageClass> storageClasses = new ArrayList<>();
        private final List<StatefulSet> statefulSets = new ArrayList<>();
        private final List<Event> events = new ArrayList<>();
        private final List<MoveRecord> moves = new ArrayList<>();

        public Builder namespace(String v) { namespace = v; return this; }
        public Builder node(Placement.Node v) { nodes.add(v); return this; }
        public Builder pod(Pod v) { pods.add(v); return this; }
        public Builder claim(Claim v) { claims.add(v); return this; }
        public Builder volume(Volume v) { volumes.add(v); return this; }
        public Builder storageClass(StorageClass v) { storageClasses.add(v); return this; }
        public Builder statefulSet(StatefulSet v) { statefulSets.add(v); return this; }
        public Builder event(Event v) { events.add(v); return this; }
        public Builder move(MoveRecord v) { moves.add(v); return this; }

        public ClusterFacts build() {
            return new ClusterFacts(namespace, nodes, pods, claims, volumes, storageClasses, statefulSets, events,
                    moves);
        }
    }
}
