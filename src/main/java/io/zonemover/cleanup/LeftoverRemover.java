package io.zonemover.cleanup;

import io.zonemover.aws.BlockStore;
import io.zonemover.cleanup.CleanupPlan.Leftover;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.PortError;
import io.zonemover.domain.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deletes the leftovers an agreed {@link CleanupPlan} found due: for each, the move's snapshots, then the
 * source volume. Before touching a volume it reads it and the PVs again, since time passed while the user
 * read the plan: a volume that has since been attached, bound or untagged is left alone. The volume is first
 * tagged {@link Tags#CLEANUP_STARTED} so that a run that stops after the snapshots (which dated the move)
 * can still finish it. A failure stops that volume, not the others; deleting what is already gone is success.
 */
public final class LeftoverRemover {

    /**
     * What happened to one leftover.
     *
     * @param volumeDeleted true when the source volume was deleted (or already gone)
     * @param error         why it stopped, or null
     */
    public record Outcome(Leftover leftover, List<String> deletedSnapshots, boolean volumeDeleted, String error) {
    }

    private final Cluster cluster;
    private final BlockStore blockStore;

    public LeftoverRemover(Cluster cluster, BlockStore blockStore) {
        this.cluster = cluster;
        this.blockStore = blockStore;
    }

    public List<Outcome> run(CleanupPlan plan) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Leftover leftover : plan.due()) {
            outcomes.add(remove(leftover, plan));
        }
        return List.copyOf(outcomes);
    }

    private Outcome remove(Leftover leftover, CleanupPlan plan) {
        List<String> deleted = new ArrayList<>();
        try {
            Optional<EbsVolume> volume = blockStore.volume(leftover.volumeId());
            if (volume.isPresent()) {
                List<String> refusals = LeftoverFinder.refusals(volume.get(), cluster.pvs());
                if (!refusals.isEmpty()) {
                    return new Outcome(leftover, deleted, false, "left alone, changed since the plan: "
                            + String.join("; ", refusals));
                }
                if (!volume.get().tags().containsKey(Tags.CLEANUP_STARTED)) {
                    blockStore.tag(leftover.volumeId(), Map.of(Tags.CLEANUP_STARTED, plan.now().toString()));
                }
            }
            for (EbsSnapshot snapshot : leftover.snapshots()) {
                blockStore.deleteSnapshot(snapshot.id());
                deleted.add(snapshot.id());
            }
            if (volume.isPresent()) {
                blockStore.deleteVolume(leftover.volumeId());
            }
            return new Outcome(leftover, List.copyOf(deleted), true, null);
        } catch (PortError e) {
            return new Outcome(leftover, List.copyOf(deleted), false, e.getMessage());
        }
    }
}
