package io.zonemover.fleet;

import java.util.List;
import java.util.Map;

/**
 * A plan for planned zone work: what was selected, by which strategy, within which limits, and the moves,
 * each one pod with all of its EBS claims to one zone. It is what {@code rebalance plan --out} writes and
 * {@code rebalance apply} reads ({@link PlanFile}); the apply engine runs each move as one single-pod move.
 *
 * <p>A split-per-zone plan ({@link StrategyType#SPLIT_PER_ZONE}, made by {@link SplitPlanner}) names one
 * StatefulSet; {@code strategy.zones} are the zones of its new StatefulSets, {@code NAME-<zone>}, and there is
 * one move per existing pod: {@code from} is where its data is, {@code to} the zone set it joins ({@code from}
 * equal to {@code to}: its volumes are re-bound, not copied). Its new ordinal is not written down but follows
 * from the moves: among the moves with the same {@code to}, the one with the highest old ordinal gets 0, the
 * next highest 1, and so on ({@link SplitPlanner#newOrdinal}), because the original shrinks from its highest
 * ordinal and each zone set grows one ordinal at a time, in that order. The plan lists the moves in that
 * order; a hand-edited plan may list them in any order, and only its {@code to} fields decide.
 *
 * @param name     the plan's name (metadata.name)
 * @param createdAt RFC 3339 instant the plan was made
 * @param before   per StatefulSet (NAMESPACE/NAME), pods per zone now (by where their data is)
 * @param after    per StatefulSet, pods per zone once every move is done
 * @param notes    what the planner could not do and why (a zone without room, a pod left in place)
 */
public record FleetPlan(String name, String createdAt, Selection selection, Strategy strategy, Limits limits,
                        List<Move> moves, Map<String, Map<String, Integer>> before,
                        Map<String, Map<String, Integer>> after, List<String> notes) {

    public static final String API_VERSION = "zonemover.io/v1alpha1";
    public static final String KIND = "MigrationPlan";

    public FleetPlan {
        moves = List.copyOf(moves);
        notes = notes == null ? List.of() : List.copyOf(notes);
        before = before == null ? Map.of() : before;
        after = after == null ? Map.of() : after;
    }

    /** True when the plan has no move: every selected StatefulSet is as it should be, or nothing could move. */
    public boolean nothingToDo() {
        return moves.isEmpty();
    }

    /**
     * Which StatefulSets: in these namespaces (or all), matching the label selector (or all), or the ones
     * named (NAMESPACE/NAME).
     */
    public record Selection(List<String> namespaces, boolean allNamespaces, String labelSelector,
                            List<String> statefulSets) {
        public Selection {
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
            statefulSets = statefulSets == null ? List.of() : List.copyOf(statefulSets);
        }
    }

    public enum StrategyType {
        SPREAD("spread"), EVACUATE("evacuate"), SPLIT_PER_ZONE("split-per-zone");

        private final String yaml;

        StrategyType(String yaml) {
            this.yaml = yaml;
        }

        public String yaml() {
            return yaml;
        }

        public static StrategyType of(String yaml) {
            for (StrategyType t : values()) {
                if (t.yaml.equals(yaml)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** @param zones for evacuate: the zones emptied; for split-per-zone: the zones of the new StatefulSets */
    public record Strategy(StrategyType type, List<String> zones) {
        public Strategy {
            zones = zones == null ? List.of() : List.copyOf(zones);
        }
    }

    /**
     * @param parallel       most moves in flight at once (the ramp starts at one)
     * @param maxUnavailable most pods of one StatefulSet down at once where no PodDisruptionBudget selects it
     * @param maxFailures    failed moves after which no new move starts
     */
    public record Limits(int parallel, int maxUnavailable, int maxFailures) {
        public static final Limits DEFAULT = new Limits(1, 1, 1);
    }

    /**
     * One pod's move.
     *
     * @param pod    NAMESPACE/POD
     * @param claims every EBS claim of the pod, as planned (those already in {@code to} stay bound)
     * @param from   the zone its data is in (zones comma-separated for a split pod)
     * @param line   the line of the move in the plan file it was read from (0 when made, not read)
     */
    public record Move(String pod, String statefulSet, List<FleetState.ClaimState> claims, String from, String to,
                       int line) {
        public Move {
            claims = List.copyOf(claims);
        }

        public String namespace() {
            return pod.substring(0, pod.indexOf('/'));
        }

        public String podName() {
            return pod.substring(pod.indexOf('/') + 1);
        }

        /** The pod's ordinal (the number after its StatefulSet's name), or -1 when the name has none. */
        public int ordinal() {
            String name = podName();
            String digits = name.substring(name.lastIndexOf('-') + 1);
            return !digits.isEmpty() && digits.chars().allMatch(Character::isDigit) && digits.length() < 10
                    ? Integer.parseInt(digits) : -1;
        }

        /** NAMESPACE/STATEFULSET. */
        public String setRef() {
            return namespace() + "/" + statefulSet;
        }
    }
}
