package io.zonemover.rescue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Decides, from one scan alone, what becomes of each stuck pod: left alone unless its StatefulSet opted in;
 * waited for until it has been stuck for the grace period, measured on the API server's clock; skipped when
 * no zone has room for it; and moved, longest stuck first, while fewer than {@code maxConcurrent} moves are
 * in flight in the cluster (whoever started them). Pure: the checks that need the cluster again (the
 * PodDisruptionBudget, the move's own plan) come after a MOVE.
 */
public final class RescuePolicy {

    private final Duration grace;
    private final int maxConcurrent;

    public RescuePolicy(Duration grace, int maxConcurrent) {
        if (grace.isNegative() || maxConcurrent < 1) {
            throw new IllegalArgumentException("grace must not be negative, and at least one move allowed");
        }
        this.grace = grace;
        this.maxConcurrent = maxConcurrent;
    }

    /**
     * @param serverNow the API server's clock at the scan
     * @param inFlight  the job ids of the moves holding claims in the cluster now, and of this process's moves
     */
    public List<Decision> decide(List<Candidate> candidates, Instant serverNow, Collection<String> inFlight) {
        List<Candidate> ordered = new ArrayList<>(candidates);
        ordered.sort(Comparator.comparing(Candidate::since, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Candidate::key));
        int slots = maxConcurrent - inFlight.size();
        List<Decision> out = new ArrayList<>();
        for (Candidate c : ordered) {
            if (!c.optedIn()) {
                out.add(Decision.of(Decision.Kind.NOT_OPTED_IN, c, "StatefulSet " + c.statefulSet()
                        + " has not opted in (annotation " + Rescuer.OPT_IN + ": \"true\"); left alone"));
            } else if (c.since() == null) {
                out.add(Decision.of(Decision.Kind.WAITING, c, "the API does not say since when it is stuck"));
            } else if (Duration.between(c.since(), serverNow).compareTo(grace) < 0) {
                out.add(Decision.of(Decision.Kind.WAITING, c, "stuck since " + c.since() + "; due at "
                        + c.since().plus(grace) + " (grace " + Durations.text(grace) + ")"));
            } else if (c.suggestedZone() == null) {
                out.add(Decision.of(Decision.Kind.NO_ROOM, c, "no other zone has a node with room for it"));
            } else if (slots <= 0) {
                out.add(Decision.of(Decision.Kind.DEFERRED, c, "moves in flight: " + String.join(", ",
                        new TreeSet<>(inFlight)) + "; at most " + maxConcurrent + " at once (`zonemover diagnose` tells"
                        + " an interrupted one)"));
            } else {
                slots--;
                out.add(Decision.of(Decision.Kind.MOVE, c, "stuck for "
                        + Durations.text(Duration.between(c.since(), serverNow)) + ", past the grace of "
                        + Durations.text(grace)));
            }
        }
        return out;
    }
}
