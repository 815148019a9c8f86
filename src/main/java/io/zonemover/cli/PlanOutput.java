package io.zonemover.cli;

import io.zonemover.fleet.FleetPlan;
import io.zonemover.fleet.PlanTable;
import io.zonemover.jobs.FleetService;
import io.zonemover.jobs.SplitService;

import java.io.PrintWriter;

/** How a fleet plan and a plan's run are shown: the before/after table, the moves, and how each move ended. */
final class PlanOutput {

    private PlanOutput() {
    }

    static void print(FleetPlan plan, PrintWriter w) {
        w.println("Plan " + plan.name() + " (" + plan.strategy().type().yaml()
                + (plan.strategy().zones().isEmpty() ? "" : " " + String.join(",", plan.strategy().zones())) + "): "
                + plan.moves().size() + " move(s)");
        w.println();
        PlanTable cells = PlanTable.of(plan);
        Table table = Table.of(cells.headers().toArray(String[]::new));
        cells.rows().forEach(r -> table.row(r.toArray()));
        table.print(w);
        if (!plan.moves().isEmpty()) {
            w.println();
            Table moves = Table.of("POD", "CLAIMS", "FROM", "TO");
            plan.moves().forEach(m -> moves.row(m.pod(), String.join(",", m.claims().stream()
                    .map(c -> c.name() + " " + c.sizeGiB() + "Gi").toList()), m.from(), m.to()));
            moves.print(w);
        }
        plan.notes().forEach(n -> w.println("note: " + n));
        w.flush();
    }

    static void printResult(FleetService.PlanResult result, boolean json, PrintWriter out) {
        if (json) {
            out.println(Json.write(result));
            out.flush();
            return;
        }
        out.println("Plan " + result.planId() + " (" + result.name() + "): " + result.status() + " " + result.counts());
        // A plan its workers share says per move which worker ran it (and whose lapsed lease it took over).
        boolean workers = result.moves().stream().anyMatch(m -> m.worker() != null);
        Table table = workers ? Table.of("#", "POD", "FROM", "TO", "STATE", "JOB", "WORKER", "SECONDS", "DETAIL")
                : Table.of("#", "POD", "FROM", "TO", "STATE", "JOB", "SECONDS", "DETAIL");
        result.moves().forEach(m -> {
            String job = m.jobId() == null ? "-" : m.jobId();
            String seconds = m.seconds() == null ? "-" : String.format("%.1f", m.seconds());
            String detail = m.detail() == null ? "" : m.detail();
            if (workers) {
                String worker = m.worker() == null ? "-" : m.worker()
                        + (m.takenOverFrom() == null ? "" : " (took over from " + m.takenOverFrom() + ")");
                table.row(m.index(), m.pod(), m.from(), m.to(), m.state(), job, worker, seconds, detail);
            } else {
                table.row(m.index(), m.pod(), m.from(), m.to(), m.state(), job, seconds, detail);
            }
        });
        table.print(out);
        if (result.message() != null) {
            out.println(result.message());
        }
        out.flush();
    }

    static void printSplit(SplitService.Result result, boolean json, PrintWriter out) {
        if (json) {
            out.println(Json.write(result));
            out.flush();
            return;
        }
        out.println("Split " + result.jobId() + " of " + result.statefulSet() + ": " + result.status()
                + " (new StatefulSets " + String.join(", ", result.zoneSets()) + ")");
        Table table = Table.of("POD", "NEW POD", "FROM", "TO", "READY");
        result.pods().forEach(p -> table.row(p.pod(), p.newPod(), p.fromZone(), p.toZone(), p.ready()));
        table.print(out);
        out.flush();
    }
}
