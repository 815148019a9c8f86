package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.ZonemoverException;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a rescue from snapshots needs to know before it may act, when the volumes' zone is down: that the
 * pod's node can no longer run it (EC2 says its instance is stopped or terminated, or the user vouches for
 * it), so the pod never runs twice; and, per volume, the snapshot the new volume will start from and how old
 * it is against the cloud's clock (the data that will be lost).
 */
final class Rescues {

    /** EC2 instance states in which nothing runs on the node any more. */
    private static final Set<String> STOPPED = Set.of("stopped", "terminated", "shutting-down", "stopping");

    record RecoveryPoint(String snapshotId, long ageSeconds) {
    }

    private final Cluster cluster;
    private final BlockStore blockStore;

    Rescues(Cluster cluster, BlockStore blockStore) {
        this.cluster = cluster;
        this.blockStore = blockStore;
    }

    /** The node the pod is on, checked to be down; null when the pod is on no node. Refuses otherwise. */
    String checkNodeIsDown(Optional<Cluster.Pod> pod, MigrationPlanner.SnapshotSource source) {
        String nodeName = pod.map(Cluster.Pod::nodeName).orElse(null);
        if (nodeName == null) {
            return null;
        }
        Optional<Cluster.Node> node = cluster.node(nodeName);
        if (node.isEmpty()) {
            return null; // the node object is gone: nothing can run the pod there
        }
        if (node.get().ready()) {
            throw ZonemoverException.refused("node " + nodeName + " of pod " + pod.get().name() + " is Ready: its zone "
                    + "is not down for this pod. Move it live, without --from-snapshot, to lose nothing");
        }
        String instance = node.get().instanceId();
        Optional<String> state = instance == null ? Optional.empty() : blockStore.instanceState(instance);
        if (state.isPresent() && STOPPED.contains(state.get()) || source.nodeIsDown()) {
            return nodeName;
        }
        throw ZonemoverException.refused("node " + nodeName + " is NotReady but EC2 says its instance "
                + (instance == null ? "(unknown)" : instance) + " is " + state.orElse("unknown")
                + ": pod " + pod.get().name() + " might still run and write there, and must not run twice. Wait for "
                + "the zone, or pass --node-is-down once you know that node is down");
    }

    /** Per volume id, the snapshot a rescue restores it from and its age. Refuses a volume without one. */
    Map<String, RecoveryPoint> recoveryPoints(List<String> volumeIds, MigrationPlanner.SnapshotSource source) {
        Instant now = blockStore.now();
        Map<String, RecoveryPoint> points = new LinkedHashMap<>();
        if (MigrationPlanner.SnapshotSource.LATEST.equals(source.spec())) {
            List<EbsSnapshot> all = blockStore.snapshotsOfVolumes(volumeIds);
            for (String volume : volumeIds) {
                EbsSnapshot newest = all.stream().filter(s -> volume.equals(s.volumeId()) && s.completed())
                        .findFirst().orElseThrow(() -> ZonemoverException.refused("volume " + volume
                                + " has no completed snapshot: there is nothing to rescue it from"));
                points.put(volume, point(newest, now));
            }
            return points;
        }
        List<String> ids = Arrays.stream(source.spec().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (EbsSnapshot snapshot : blockStore.snapshots(ids)) {
            if (!snapshot.completed()) {
                throw ZonemoverException.refused("snapshot " + snapshot.id() + " is " + snapshot.state()
                        + ", not completed");
            }
            if (volumeIds.contains(snapshot.volumeId())) {
                points.put(snapshot.volumeId(), point(snapshot, now));
            }
        }
        for (String volume : volumeIds) {
            if (!points.containsKey(volume)) {
                throw ZonemoverException.badInput("--from-snapshot names no completed snapshot of volume " + volume
                        + " (give one per claim, comma-separated, or `latest`)");
            }
        }
        return points;
    }

    private static RecoveryPoint point(EbsSnapshot snapshot, Instant now) {
        long age = snapshot.startTime() == null ? 0 : Math.max(0, Duration.between(snapshot.startTime(), now).toSeconds());
        return new RecoveryPoint(snapshot.id(), age);
    }
}
