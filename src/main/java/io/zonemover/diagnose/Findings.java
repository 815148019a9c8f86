package io.zonemover.diagnose;

import io.zonemover.diagnose.Finding.Kind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the detectors that ran before know, for the ones after: the findings so far, and the facts derived
 * from them once. Immutable: {@link #with} gives the next one.
 *
 * <ul>
 *   <li>claims under a move: those of an {@link Kind#InterruptedMove}; nothing else may suggest moving them;</li>
 *   <li>flagged claims: those a pod-level finding already covers (an interrupted move, a stuck or split pod,
 *       a pod running away from its volume), so an imbalance finding does not propose them again;</li>
 *   <li>claims in an outage: those of the pods a {@link Kind#ZoneOutage} lists; their rescue is from
 *       snapshots, so nothing else suggests moving them (a move would try to snapshot a dead volume);</li>
 *   <li>proposed moves: claim -> zone, for the stuck and split pods' moves, so that an imbalance counts
 *       those replicas where they will be.</li>
 * </ul>
 */
public final class Findings {

    private static final Findings NONE = new Findings(List.of(), Set.of(), Set.of(), Map.of(), Set.of());

    private final List<Finding> all;
    private final Set<String> underMove;
    private final Set<String> flagged;
    private final Map<String, String> proposed;
    private final Set<String> inOutage;

    private Findings(List<Finding> all, Set<String> underMove, Set<String> flagged, Map<String, String> proposed,
                     Set<String> inOutage) {
        this.all = all;
        this.underMove = underMove;
        this.flagged = flagged;
        this.proposed = proposed;
        this.inOutage = inOutage;
    }

    public static Findings none() {
        return NONE;
    }

    /** These findings plus {@code more}. */
    public Findings with(List<Finding> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<Finding> nextAll = new ArrayList<>(all);
        Set<String> nextUnderMove = new HashSet<>(underMove);
        Set<String> nextFlagged = new HashSet<>(flagged);
        Map<String, String> nextProposed = new HashMap<>(proposed);
        Set<String> nextInOutage = new HashSet<>(inOutage);
        for (Finding f : more) {
            nextAll.add(f);
            if (f.outage() != null) {
                for (Finding.OutagePod pod : f.outage().pods()) {
                    for (Finding.ClaimPoint c : pod.claims()) {
                        String key = ClusterFacts.key(pod.namespace(), c.claim());
                        nextInOutage.add(key);
                        nextFlagged.add(key);
                    }
                }
            }
            boolean flags = switch (f.kind()) {
                case InterruptedMove, VolumeNodeAffinityConflict, SplitPodVolumes -> true;
                case AttachFailure -> f.suggestedZone() != null;
                default -> false;
            };
            boolean proposes = (f.kind() == Kind.VolumeNodeAffinityConflict || f.kind() == Kind.SplitPodVolumes)
                    && f.suggestedZone() != null;
            for (String claim : f.claimNames()) {
                String key = ClusterFacts.key(f.namespace(), claim);
                if (f.kind() == Kind.InterruptedMove) {
                    nextUnderMove.add(key);
                }
                if (flags) {
                    nextFlagged.add(key);
                }
                if (proposes) {
                    nextProposed.put(key, f.suggestedZone());
                }
            }
        }
        return new Findings(List.copyOf(nextAll), Set.copyOf(nextUnderMove), Set.copyOf(nextFlagged),
                Map.copyOf(nextProposed), Set.copyOf(nextInOutage));
    }

    /**
     * A claim of a pod caught in a zone outage: its volume may be in a zone that is down, where it cannot be
     * snapshotted, so no finding may suggest an ordinary move of it.
     */
    public boolean inOutage(String namespace, String claim) {
        return inOutage.contains(ClusterFacts.key(namespace, claim));
    }

    public List<Finding> all() {
        return all;
    }

    /** A claim an interrupted move owns: only {@code jobs adopt} may act on it. */
    public boolean underMove(String namespace, String claim) {
        return underMove.contains(ClusterFacts.key(namespace, claim));
    }

    /** A claim an earlier finding already covers. */
    public boolean flagged(String namespace, String claim) {
        return flagged.contains(ClusterFacts.key(namespace, claim));
    }

    /** Where an earlier finding proposes to move the claim, or {@code otherwise}. */
    public String zoneAfterProposedMoves(String namespace, String claim, String otherwise) {
        return proposed.getOrDefault(ClusterFacts.key(namespace, claim), otherwise);
    }
}
