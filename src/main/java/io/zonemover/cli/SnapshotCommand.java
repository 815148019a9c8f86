package io.zonemover.cli;

import io.zonemover.aws.Ec2BlockStore;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.LabelSelector;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.protect.ProtectiveSnapshots;
import io.zonemover.protect.ProtectiveSnapshots.Decision;
import io.zonemover.protect.ProtectiveSnapshots.Item;
import io.zonemover.protect.ProtectiveSnapshots.Outcome;
import io.zonemover.protect.ProtectiveSnapshots.Plan;
import io.zonemover.protect.ProtectiveSnapshots.Report;
import io.zonemover.protect.ProtectiveSnapshots.Status;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** `zonemover snapshot`: protective snapshots of StatefulSet claims, keeping the newest N per volume. */
@Command(name = "snapshot",
        description = {"Takes a protective snapshot of every EBS claim of the selected StatefulSets' pods, and keeps "
                + "the newest N per volume: run it on a schedule (jobs/base/snapshot-cronjob.yaml) and a zone outage "
                + "loses at most the writes since the last one (`migrate --from-snapshot latest` restores from it).",
                "",
                "Snapshots are incremental and tagged zonemover.io/protect=true, zonemover.io/claim, "
                        + "zonemover.io/source-volume and zonemover.io/taken-at. Retention deletes only those: never "
                        + "a pending one, never a move's (zonemover.io/job), never anyone else's. Only completed ones "
                        + "count toward --keep, so a volume holds at most N plus the one in flight.",
                "",
                "EC2 allows about one snapshot per volume every 15 s and a few pending at once: a volume whose "
                        + "last protective snapshot is still pending, or that EC2 refuses for those limits, is skipped "
                        + "this run (the next run takes it); that is not a failure. Claims being moved are skipped "
                        + "(the move snapshots them itself).",
                "Looks at all namespaces unless -n is given, like diagnose."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  every volume snapshotted, or skipped for a reason (or --dry-run shown)",
                "  1  some volume failed, the others were still done (with --dry-run: would fail)", "  2  bad input, nothing changed",
                "  3  not confirmed, nothing changed",
                "", "Examples:", "  zonemover snapshot -A -l zonemover.io/protect=true --dry-run",
                "  zonemover snapshot -n default -l app=db --keep 6 --yes -o json"})
final class SnapshotCommand extends BaseCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    NamespaceScope scope;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR",
            description = "Only StatefulSets whose labels match, kubectl syntax (e.g. zonemover.io/protect=true,tier in (db)).")
    String selector;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "" + ProtectiveSnapshots.DEFAULT_KEEP,
            description = "Completed protective snapshots to keep per volume (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--dry-run", description = "Show what would be taken and deleted, and change nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() {
        // Everything the user typed is checked before the cluster or EC2 is asked anything.
        if (keep < 1) {
            throw ZonemoverException.badInput("--keep must be at least 1, got " + keep);
        }
        String namespace = NamespaceScope.of(scope);
        if (namespace != null) {
            ClaimRef.parse(namespace + "/x"); // the namespace's name rules, with its message
        }
        LabelSelector sel = LabelSelector.parse(selector);

        ProtectiveSnapshots snapshots = new ProtectiveSnapshots(new KubeCluster(connections().kube()),
                new Ec2BlockStore(connections().ec2()));
        Plan plan = snapshots.plan(namespace, sel, keep);
        PrintWriter planOut = global().json() ? err() : out();
        // With --yes (a CronJob) the result table says it all; otherwise the plan is what is being agreed to.
        printPlan(plan, planOut, dryRun || !yes);
        if (dryRun) {
            if (global().json()) {
                out().println(Json.write(planJson(plan)));
            } else {
                out().println("Dry run: nothing was changed.");
            }
            return plan.items().stream().anyMatch(i -> i.decision() == Decision.FAIL) ? 1 : 0;
        }
        if (plan.toTake() + plan.toDelete() > 0 && !Confirm.ask(root().input(), err(), "Take " + plan.toTake()
                + " snapshot(s) and delete " + plan.toDelete() + " old protective snapshot(s)?", yes)) {
            throw ZonemoverException.refused("not confirmed; nothing changed (rerun with --yes to skip the question)");
        }
        Report report = snapshots.run(plan);
        if (global().json()) {
            out().println(Json.write(reportJson(report)));
        } else {
            printReport(report, out());
        }
        return report.failed() ? 1 : 0;
    }

    private static void printPlan(Plan plan, PrintWriter out, boolean table) {
        String where = plan.namespace() == null ? "all namespaces" : "namespace " + plan.namespace();
        String which = plan.selector().isEverything() ? "" : " matching " + plan.selector();
        out.println(plan.statefulSets().size() + " StatefulSet(s)" + which + " in " + where + ", "
                + plan.items().size() + " claim(s); keeping the newest " + plan.keep()
                + " completed protective snapshot(s) per volume.");
        if (plan.items().isEmpty() || !table) {
            out.flush();
            return;
        }
        Table rows = Table.of("CLAIM", "POD", "VOLUME", "ZONE", "PLAN", "DELETE", "KEEP");
        for (Item i : plan.items()) {
            String what = switch (i.decision()) {
                case TAKE -> "snapshot";
                case SKIP_LIMIT, SKIP -> "skip: " + i.reason();
                case FAIL -> "FAIL: " + i.reason();
            };
            rows.row(i.claim(), i.pod(), i.volumeId(), i.zone(), what, i.toDelete().size(), i.kept());
        }
        rows.print(out);
        out.flush();
    }

    private static void printReport(Report report, PrintWriter out) {
        if (!report.outcomes().isEmpty()) {
            Table table = Table.of("CLAIM", "VOLUME", "SNAPSHOT", "DELETED");
            for (Outcome o : report.outcomes()) {
                String what = switch (o.status()) {
                    case TAKEN -> "taken " + o.snapshotId();
                    case SKIPPED_LIMIT, SKIPPED -> "skipped: " + o.reason();
                    case FAILED -> "FAILED: " + o.reason();
                };
                table.row(o.item().claim(), o.item().volumeId(), what,
                        o.deleted().size() + (o.deleteError() == null ? "" : " (FAILED: " + o.deleteError() + ")"));
            }
            out.println();
            table.print(out);
        }
        out.println();
        out.println(report.count(Status.TAKEN) + " taken, " + report.count(Status.SKIPPED_LIMIT)
                + " skipped for EC2's limits, " + report.count(Status.SKIPPED) + " skipped, "
                + report.count(Status.FAILED) + " failed; " + report.deleted() + " old protective snapshot(s) deleted.");
    }

    private static Map<String, Object> planJson(Plan plan) {
        Map<String, Object> json = header(plan, true);
        json.put("volumes", plan.items().stream().map(i -> {
            Map<String, Object> v = item(i);
            v.put("action", switch (i.decision()) {
                case TAKE -> "snapshot";
                case SKIP_LIMIT, SKIP -> "skip";
                case FAIL -> "fail";
            });
            v.put("limit", i.decision() == Decision.SKIP_LIMIT);
            v.put("reason", i.reason());
            v.put("toDelete", i.toDelete());
            return v;
        }).toList());
        return json;
    }

    private static Map<String, Object> reportJson(Report report) {
        Map<String, Object> json = header(report.plan(), false);
        json.put("takenAt", report.takenAt());
        json.put("volumes", report.outcomes().stream().map(o -> {
            Map<String, Object> v = item(o.item());
            v.put("status", switch (o.status()) {
                case TAKEN -> "taken";
                case SKIPPED_LIMIT, SKIPPED -> "skipped";
                case FAILED -> "failed";
            });
            v.put("limit", o.status() == Status.SKIPPED_LIMIT);
            v.put("snapshotId", o.snapshotId());
            v.put("reason", o.reason());
            v.put("deleted", o.deleted());
            v.put("deleteError", o.deleteError());
            return v;
        }).toList());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("taken", report.count(Status.TAKEN));
        counts.put("skippedForLimits", report.count(Status.SKIPPED_LIMIT));
        counts.put("skipped", report.count(Status.SKIPPED));
        counts.put("failed", report.count(Status.FAILED));
        counts.put("deleted", report.deleted());
        json.put("counts", counts);
        json.put("failed", report.failed());
        return json;
    }

    private static Map<String, Object> header(Plan plan, boolean dryRun) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dryRun", dryRun);
        json.put("namespace", plan.namespace());
        json.put("selector", plan.selector().toString());
        json.put("keep", plan.keep());
        json.put("statefulSets", plan.statefulSets());
        return json;
    }

    private static Map<String, Object> item(Item i) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("claim", i.claim().toString());
        v.put("statefulSet", i.statefulSet());
        v.put("pod", i.pod());
        v.put("volumeId", i.volumeId());
        v.put("zone", i.zone());
        v.put("kept", i.kept());
        return v;
    }
}
