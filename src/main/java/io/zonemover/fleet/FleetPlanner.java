package io.zonemover.fleet;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan.Limits;
import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetPlan.Selection;
import io.zonemover.fleet.FleetPlan.Strategy;
import io.zonemover.fleet.FleetPlan.StrategyType;
import io.zonemover.fleet.FleetState.SetState;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Plans spread and evacuate for the selected StatefulSets: which pods move where, within the room the nodes
 * have in the scheduler's terms. Pure: it reads a {@link FleetState} and returns a {@link FleetPlan}.
 *
 * <p>One ledger of node requests is shared by every StatefulSet of the plan, so each move holds a seat on
 * one node of its target zone and no two moves count on the same room. Seats that leaving pods free are
 * never counted (the moves run concurrently).
 */
public final class FleetPlanner {

    /** The order apply runs moves in: zone by zone, then by StatefulSet, then by ordinal. */
    public static final Comparator<Move> ZONE_BY_ZONE = Comparator.comparing(Move::to)
            .thenComparing(Move::setRef).thenComparingInt(Move::ordinal);

    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final Clock clock;

    public FleetPlanner(Clock clock) {
        this.clock = clock;
    }

    public FleetPlanner() {
        this(Clock.systemUTC());
    }

    /**
     * Moves as few pods as possible so that, per StatefulSet, the zones with room hold counts within one of
     * each other (see {@link Spread}). Split pods, pods of zones without usable nodes and Pending pods their
     * zone has no room for always move.
     */
    public FleetPlan spread(FleetState state, Selection selection, Limits limits) {
        check(limits);
        Ledger ledger = new Ledger(state.nodes());
        PendingSeats pending = PendingSeats.take(state, ledger, (set, pod) -> true);
        return plan(state, ledger, pending, new Strategy(StrategyType.SPREAD, List.of()), selection, limits,
                work -> new Spread(work, state.zones())::plan);
    }

    /**
     * Moves every selected pod with a claim in {@code zones} to another zone (see {@link Evacuate}).
     *
     * @throws ZonemoverException bad input when no zone is given, one is not a zone of the region, or no
     *                            zone would be left
     */
    public FleetPlan evacuate(FleetState state, Selection selection, List<String> zones, Limits limits) {
        check(limits);
        Set<String> evacuated = new LinkedHashSet<>(zones == null ? List.of() : zones);
        checkEvacuated(state, evacuated);
        Ledger ledger = new Ledger(state.nodes());
        PendingSeats pending = PendingSeats.take(state, ledger, (set, pod) -> !Evacuate.leaves(pod, evacuated));
        Strategy strategy = new Strategy(StrategyType.EVACUATE, evacuated.stream().sorted().toList());
        return plan(state, ledger, pending, strategy, selection, limits,
                work -> new Evacuate(work, state.zones(), evacuated)::plan);
    }

    private FleetPlan plan(FleetState state, Ledger ledger, PendingSeats pending, Strategy strategy,
                           Selection selection, Limits limits, Function<SetWork, Runnable> planner) {
        List<Move> moves = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Map<String, Integer>> before = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> after = new LinkedHashMap<>();
        for (SetState set : state.sets().stream().sorted(Comparator.comparing(SetState::ref)).toList()) {
            SetWork work = new SetWork(set, ledger, pending);
            if (work.pods().isEmpty()) {
                work.note("no pod with an EBS claim: nothing to move");
            } else {
                planner.apply(work).run();
            }
            moves.addAll(work.moves);
            notes.addAll(work.notes);
            before.put(set.ref(), Collections.unmodifiableMap(work.before()));
            after.put(set.ref(), Collections.unmodifiableMap(work.after()));
        }
        if (moves.isEmpty()) {
            notes.add(0, "nothing to move: " + (strategy.type() == StrategyType.SPREAD
                    ? "every selected StatefulSet is as even as the zones with room allow"
                    : "no selected pod has a claim in " + String.join(", ", strategy.zones()) + " that can move"));
        }
        moves.sort(ZONE_BY_ZONE);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String name = strategy.type().yaml()
                + (strategy.zones().isEmpty() ? "" : "-" + String.join("-", strategy.zones()))
                + "-" + NAME_TIME.format(now);
        Selection selected = selection == null ? new Selection(null, false, null, null) : selection;
        return new FleetPlan(name, now.toString(), selected, strategy, limits, moves,
                Collections.unmodifiableMap(before), Collections.unmodifiableMap(after), notes);
    }

    /** The limits a plan may carry: each at least 1 (a plan file is held to the same). */
    static void check(Limits limits) {
        if (limits.parallel() < 1 || limits.maxUnavailable() < 1 || limits.maxFailures() < 1) {
            throw ZonemoverException.badInput("limits must each be at least 1, got parallel " + limits.parallel()
                    + ", maxUnavailable " + limits.maxUnavailable() + ", maxFailures " + limits.maxFailures());
        }
    }

    private static void checkEvacuated(FleetState state, Set<String> evacuated) {
        if (evacuated.isEmpty()) {
            throw ZonemoverException.badInput("evacuate needs at least one zone");
        }
        for (String zone : evacuated) {
            if (!state.zones().contains(zone)) {
                throw ZonemoverException.badInput("cannot evacuate " + zone + ": not a zone of this region ("
                        + String.join(", ", state.zones()) + ")");
            }
        }
        if (evacuated.containsAll(state.zones())) {
            throw ZonemoverException.badInput("cannot evacuate every zone (" + String.join(", ", state.zones())
                    + "): the pods would have nowhere to go");
        }
    }
}
