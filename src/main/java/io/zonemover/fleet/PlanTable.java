package io.zonemover.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The before/after table of a plan, pods per zone per StatefulSet, as cells for the command line to print
 * ({@code STATEFULSET  us-east-1b  ...} then {@code shop/orders  3 -> 1  ...}). A zone a StatefulSet's
 * tables do not mention shows {@code -}.
 *
 * @param headers {@code STATEFULSET} and the zones of every row, in name order
 * @param rows    one per StatefulSet, in the plan's order: its NAMESPACE/NAME, then "before -> after" per zone
 */
public record PlanTable(List<String> headers, List<List<String>> rows) {

    public PlanTable {
        headers = List.copyOf(headers);
        rows = rows.stream().map(List::copyOf).toList();
    }

    public static PlanTable of(FleetPlan plan) {
        SortedSet<String> zones = new TreeSet<>();
        plan.before().values().forEach(z -> zones.addAll(z.keySet()));
        plan.after().values().forEach(z -> zones.addAll(z.keySet()));
        List<String> headers = new ArrayList<>();
        headers.add("STATEFULSET");
        headers.addAll(zones);
        List<List<String>> rows = new ArrayList<>();
        for (String set : plan.before().keySet()) {
            Map<String, Integer> before = plan.before().get(set);
            Map<String, Integer> after = plan.after().getOrDefault(set, Map.of());
            List<String> row = new ArrayList<>();
            row.add(set);
            for (String zone : zones) {
                boolean known = before.containsKey(zone) || after.containsKey(zone);
                row.add(known ? before.getOrDefault(zone, 0) + " -> " + after.getOrDefault(zone, 0) : "-");
            }
            rows.add(row);
        }
        return new PlanTable(headers, rows);
    }
}
