package io.zonemover.jobs;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan;
import io.zonemover.fleet.SplitPlanner;

import java.util.ArrayList;
import java.util.List;

/**
 * A split plan's moves as one job parameter: {@code ORDINAL=ZONE} per pod of the original, comma-separated
 * (e.g. {@code 2=us-east-1d,1=us-east-1c,0=us-east-1b}). The job reads everything else from the cluster.
 */
final class SplitMoves {

    /** Spring Batch keeps a parameter's value in 2,500 characters. */
    static final int MAX_LENGTH = 2500;

    /** One pod: its ordinal in the original, the zone of the StatefulSet it joins. */
    record Move(int ordinal, String zone) {
    }

    private SplitMoves() {
    }

    static String encode(FleetPlan plan) {
        List<String> parts = new ArrayList<>();
        for (FleetPlan.Move m : plan.moves()) {
            parts.add(SplitPlanner.oldOrdinal(m) + "=" + m.to());
        }
        String encoded = String.join(",", parts);
        if (encoded.length() > MAX_LENGTH) {
            throw ZonemoverException.badInput("a split of " + plan.moves().size() + " pods is more than one job "
                    + "can carry (its moves take " + encoded.length() + " of " + MAX_LENGTH + " characters)");
        }
        return encoded;
    }

    static List<Move> parse(String encoded) {
        List<Move> moves = new ArrayList<>();
        for (String part : encoded.split(",")) {
            int eq = part.indexOf('=');
            moves.add(new Move(Integer.parseInt(part.substring(0, eq)), part.substring(eq + 1)));
        }
        return moves;
    }
}
