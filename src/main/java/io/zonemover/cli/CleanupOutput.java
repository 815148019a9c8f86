package io.zonemover.cli;

import io.zonemover.cleanup.CleanupPlan;
import io.zonemover.cleanup.CleanupPlan.Leftover;
import io.zonemover.cleanup.LeftoverRemover.Outcome;
import io.zonemover.cleanup.MonthlyCost;
import io.zonemover.domain.EbsSnapshot;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What `zonemover cleanup` shows: its plan and what it deleted, as tables or (with -o json) one object. */
final class CleanupOutput {

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    CleanupOutput(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    /**
     * Shows the plan. With -o json the plan goes to stderr as text, and the object to stdout only when the run
     * ends here (a dry run, a refusal, nothing due); otherwise the report carries it.
     */
    void plan(CleanupPlan plan, boolean dryRun) {
        printPlan(plan, json ? err : out);
        boolean last = dryRun || !plan.refusals().isEmpty() || plan.due().isEmpty();
        if (json && last) {
            out.println(Json.write(planJson(plan, dryRun)));
        } else if (!json && dryRun && plan.refusals().isEmpty()) {
            out.println("Dry run: nothing was changed.");
        }
        out.flush();
        err.flush();
    }

    void report(CleanupPlan plan, List<Outcome> outcomes) {
        if (json) {
            Map<String, Object> object = planJson(plan, false);
            object.put("results", outcomes.stream().map(o -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("volumeId", o.leftover().volumeId());
                r.put("volumeDeleted", o.volumeDeleted());
                r.put("snapshotsDeleted", o.deletedSnapshots());
                r.put("error", o.error());
                return r;
            }).toList());
            object.put("failed", outcomes.stream().anyMatch(o -> o.error() != null));
            out.println(Json.write(object));
            return;
        }
        out.println();
        for (Outcome o : outcomes) {
            out.println(o.leftover().volumeId() + ": " + (o.volumeDeleted() ? "deleted" : "NOT deleted")
                    + ", " + o.deletedSnapshots().size() + " snapshot(s) deleted"
                    + (o.error() == null ? "" : " (FAILED: " + o.error() + ")"));
        }
        long volumes = outcomes.stream().filter(Outcome::volumeDeleted).count();
        long snapshots = outcomes.stream().mapToLong(o -> o.deletedSnapshots().size()).sum();
        out.println(volumes + " volume(s) and " + snapshots + " snapshot(s) deleted.");
        oldPvs(plan, out);
    }

    private static void printPlan(CleanupPlan plan, PrintWriter text) {
        text.println(plan.leftovers().size() + " completed move(s) left a source volume; retention "
                + CleanupPlan.span(plan.olderThan()) + " by EC2's clock (now " + plan.now() + ").");
        if (!plan.leftovers().isEmpty()) {
            Table rows = Table.of("VOLUME", "ZONE", "TYPE", "SIZE", "SUPERSEDED BY", "CLAIM", "POD", "SNAPSHOTS",
                    "PER MONTH", "PLAN");
            for (Leftover l : plan.leftovers()) {
                rows.row(l.volumeId(), l.zone(), l.type(), l.sizeGiB() + " GiB", l.newVolumeId(), l.claim(), l.pod(),
                        l.snapshots().size(), MonthlyCost.format(l.volumeMonthlyUsd()) + " + up to "
                                + MonthlyCost.format(l.snapshotsMonthlyUsd()),
                        l.due() ? "delete" : "keep: " + l.waitReason());
            }
            rows.print(text);
        }
        plan.refusals().forEach(r -> text.println("REFUSED " + r.volumeId() + ": " + r.reason()));
        if (!plan.due().isEmpty()) {
            text.println("Due: " + plan.due().size() + " volume(s) and " + plan.dueSnapshots() + " snapshot(s), "
                    + "about " + MonthlyCost.format(plan.dueMonthlyUsd()) + " a month (us-east-1 list prices; the "
                    + "snapshots' share is an upper bound, as EBS snapshots are incremental).");
        } else if (plan.refusals().isEmpty()) {
            text.println("Nothing to delete.");
        }
        text.flush();
    }

    /** The old PVs: Released, Retain, naming a volume that is now gone. Deleting them is the user's call. */
    private static void oldPvs(CleanupPlan plan, PrintWriter text) {
        List<String> names = plan.due().stream().flatMap(l -> l.oldPvs().stream()).toList();
        if (!names.isEmpty()) {
            text.println("The old PV(s) still name the deleted volume(s) and bind to nothing; delete them with: "
                    + "kubectl delete pv " + String.join(" ", names));
        }
    }

    private static Map<String, Object> planJson(CleanupPlan plan, boolean dryRun) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("dryRun", dryRun);
        object.put("olderThan", plan.olderThan().toString());
        object.put("now", plan.now().toString());
        object.put("volumes", plan.leftovers().stream().map(CleanupOutput::leftoverJson).toList());
        object.put("refused", plan.refusals().stream().map(r -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("volumeId", r.volumeId());
            v.put("reason", r.reason());
            return v;
        }).toList());
        object.put("monthlyUsd", Math.round(plan.dueMonthlyUsd() * 100) / 100.0);
        return object;
    }

    private static Map<String, Object> leftoverJson(Leftover l) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("volumeId", l.volumeId());
        v.put("zone", l.zone());
        v.put("type", l.type());
        v.put("sizeGiB", l.sizeGiB());
        v.put("newVolumeId", l.newVolumeId());
        v.put("jobId", l.jobId());
        v.put("claim", l.claim() == null ? null : l.claim().toString());
        v.put("pod", l.pod());
        v.put("snapshots", l.snapshots().stream().map(EbsSnapshot::id).toList());
        v.put("movedAt", l.movedAt() == null ? null : l.movedAt().toString());
        v.put("action", l.due() ? "delete" : "keep");
        v.put("reason", l.waitReason());
        v.put("volumeMonthlyUsd", Math.round(l.volumeMonthlyUsd() * 100) / 100.0);
        v.put("snapshotsMonthlyUsdUpTo", Math.round(l.snapshotsMonthlyUsd() * 100) / 100.0);
        v.put("oldPvs", l.oldPvs());
        return v;
    }
}
