package io.zonemover.fleet;

import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetState.ClaimState;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes a plan as the documented YAML of {@link PlanFile}: block style for the structure, one flow line per
 * claim and per table row, a comment before each zone's moves. Same plan, same bytes: field order is fixed
 * and every map is written in the order the plan holds it (the planner's are sorted).
 */
final class PlanWriter {

    static final String HEADER = """
            # A zonemover migration plan (apiVersion zonemover.io/v1alpha1, kind MigrationPlan), made by
            # `zonemover rebalance plan`. Review it, then carry it out with:
            #
            #   zonemover rebalance apply FILE
            #
            # It asks before it starts (--yes answers for scripts); `zonemover jobs resume ID` resumes it.
            #
            # spec.selection   the StatefulSets chosen: namespaces (or allNamespaces), labelSelector, or by
            #                  NAMESPACE/NAME in statefulSets.
            # spec.strategy    type spread, evacuate or split-per-zone; zones: the zones evacuated.
            # spec.limits      parallel: most moves at once (the first batch is one move, then it doubles);
            #                  maxUnavailable: most pods of a StatefulSet down at once where no
            #                  PodDisruptionBudget covers it; maxFailures: failed moves after which no new
            #                  move starts. Each at least 1.
            # spec.moves       one entry per pod (NAMESPACE/NAME-ORDINAL), run zone by zone:
            #                  every EBS claim of the pod goes, as a whole, from the zone its data is in to
            #                  `to` (from lists several zones, comma-separated, when the claims are split;
            #                  claims already in `to` stay where they are).
            # status           what the planner saw and expects (pods per zone per StatefulSet before and
            #                  after, and what it could not do). Informational: apply ignores it.
            #
            # You may edit this file (drop a move, change a `to`, lower a limit). apply validates all of it
            # first, the format and then the cluster (claims, volumes, room in each zone), and refuses it,
            # naming the line and the field, before anything changes. An empty moves list does nothing.
            """;

    /** What YAML reads as a string when unquoted and that needs no quoting in flow style. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
    private static final Resolver RESOLVER = new Resolver();

    private final StringBuilder out = new StringBuilder(HEADER);

    private PlanWriter() {
    }

    static String write(FleetPlan plan) {
        PlanWriter w = new PlanWriter();
        w.line(0, "apiVersion: " + scalar(FleetPlan.API_VERSION));
        w.line(0, "kind: " + scalar(FleetPlan.KIND));
        w.line(0, "metadata:");
        w.line(1, "name: " + scalar(plan.name()));
        if (plan.createdAt() != null) {
            w.line(1, "createdAt: " + quoted(plan.createdAt()));
        }
        w.line(0, "spec:");
        w.selection(plan.selection());
        w.line(1, "strategy:");
        w.line(2, "type: " + scalar(plan.strategy().type().yaml()));
        w.line(2, "zones: " + flow(plan.strategy().zones()));
        w.line(1, "limits:");
        w.line(2, "parallel: " + plan.limits().parallel());
        w.line(2, "maxUnavailable: " + plan.limits().maxUnavailable());
        w.line(2, "maxFailures: " + plan.limits().maxFailures());
        w.moves(plan.moves());
        w.line(0, "status:");
        w.table("before", plan.before());
        w.table("after", plan.after());
        w.notes(plan.notes());
        return w.out.toString();
    }

    private void selection(FleetPlan.Selection selection) {
        line(1, "selection:");
        line(2, "namespaces: " + flow(selection.namespaces()));
        line(2, "allNamespaces: " + selection.allNamespaces());
        line(2, "labelSelector: " + scalar(selection.labelSelector() == null ? "" : selection.labelSelector()));
        line(2, "statefulSets: " + flow(selection.statefulSets()));
    }

    private void moves(List<Move> moves) {
        if (moves.isEmpty()) {
            line(1, "moves: []");
            return;
        }
        line(1, "moves:");
        String zone = null;
        for (Move m : moves) {
            if (!m.to().equals(zone)) {
                zone = m.to();
                String into = m.to();
                line(1, "# to " + zone + ": " + moves.stream().filter(x -> x.to().equals(into)).count() + " pod(s)");
            }
            line(1, "- pod: " + scalar(m.pod()));
            line(2, "statefulSet: " + scalar(m.statefulSet()));
            line(2, "from: " + scalar(m.from()));
            line(2, "to: " + scalar(m.to()));
            line(2, "claims:");
            for (ClaimState c : m.claims()) {
                line(2, "- {name: " + scalar(c.name()) + ", volumeId: " + scalar(c.volumeId()) + ", zone: "
                        + scalar(c.zone()) + ", sizeGiB: " + c.sizeGiB() + "}");
            }
        }
    }

    private void table(String name, Map<String, Map<String, Integer>> table) {
        if (table.isEmpty()) {
            line(1, name + ": {}");
            return;
        }
        line(1, name + ":");
        table.forEach((set, zones) -> line(2, scalar(set) + ": {" + zones.entrySet().stream()
                .map(e -> scalar(e.getKey()) + ": " + e.getValue()).collect(Collectors.joining(", ")) + "}"));
    }

    private void notes(List<String> notes) {
        if (notes.isEmpty()) {
            line(1, "notes: []");
            return;
        }
        line(1, "notes:");
        notes.forEach(n -> line(1, "- " + quoted(n)));
    }

    private void line(int indent, String text) {
        out.append("  ".repeat(indent)).append(text).append('\n');
    }

    private static String flow(List<String> values) {
        return values.stream().map(PlanWriter::scalar).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Plain when YAML would read it back as this very string, double-quoted otherwise. */
    static String scalar(String value) {
        boolean plain = PLAIN.matcher(value).matches()
                && Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, value, true));
        return plain ? value : quoted(value);
    }

    static String quoted(String value) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        q.append(String.format("\\x%02x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
