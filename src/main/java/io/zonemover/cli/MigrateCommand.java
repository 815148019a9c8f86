package io.zonemover.cli;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationPlanner;
import io.zonemover.jobs.MigrationService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "migrate",
        description = {"Moves a StatefulSet claim's EBS volume to another zone and brings its pod back there.",
                "",
                "Snapshots the volume (once while the pod runs, once after it stops), restores it in the target zone, binds the claim to the new volume through a static PV, and recreates the StatefulSet. The old volume and the snapshots are kept and tagged. The job is checkpointed: if this process dies, `zonemover jobs resume ID` continues where it stopped."},
        footerHeading = "%nExamples:%n",
        footer = {"  zonemover migrate default/www-web-3 --to auto --dry-run",
                "  zonemover migrate default/www-web-3 --to us-east-1c --yes -o json"})
final class MigrateCommand extends BaseCommand implements Callable<Integer> {

    private static final Pattern ZONE = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+[a-z]");

    @Parameters(index = "0", paramLabel = "NAMESPACE/CLAIM", description = "The claim to move, e.g. default/www-web-3.")
    String claim;

    @Option(names = "--to", required = true, paramLabel = "ZONE|auto",
            description = "Target availability zone, or `auto`: a zone with Ready, schedulable nodes that fit the pod, "
                    + "preferring the one with the fewest pods of its StatefulSet.")
    String to;

    @Option(names = "--dry-run", description = "Show the plan and change nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = "--no-pre-snapshot", negatable = false,
            description = "Skip the incremental base snapshot taken while the pod still runs. Saves time when the pod is down anyway (stuck); on a running pod it lengthens the downtime, since the final snapshot then copies everything.")
    boolean noPreSnapshot;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long the pod may take to be Ready in the new zone before the job rolls back (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Option(names = "--poll-interval", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class,
            description = "Time between polls of EC2 and Kubernetes (default 2s; 250ms with --sim).")
    Duration pollInterval;

    @Override
    public Integer call() {
        ClaimRef ref = ClaimRef.parse(claim);
        if (!MigrationPlanner.AUTO.equals(to) && !ZONE.matcher(to).matches()) {
            throw ZonemoverException.badInput("'" + to + "' is not an availability zone name (like us-east-1c) or auto");
        }
        try (JobEngine engine = JobEngine.start(connections(), new ProgressPrinter(err()), pollMillis(global(), pollInterval))) {
            MigrationService service = engine.migrations();
            MigrationPlan plan = service.plan(ref, to, !noPreSnapshot);
            printPlan(plan);
            if (dryRun) {
                if (global().json()) {
                    out().println(Json.write(planJson(plan)));
                } else {
                    out().println("Dry run: nothing was changed.");
                }
                return 0;
            }
            if (!Confirm.ask(root().input(), err(), "Move " + ref + " to " + plan.toZone() + "?", yes)) {
                throw ZonemoverException.refused("not confirmed; nothing changed (rerun with --yes to skip the question)");
            }
            MigrationService.Result result = service.start(plan, readyTimeout);
            JobsCommand.printResult(result, global().json(), out());
            return "COMPLETED".equals(result.status()) ? 0 : 1;
        }
    }

    static long pollMillis(GlobalOptions global, Duration requested) {
        if (requested != null) {
            return requested.toMillis();
        }
        return global.sim() != null ? 250 : 2000;
    }

    private void printPlan(MigrationPlan plan) {
        java.io.PrintWriter w = global().json() ? err() : out();
        w.println("Plan for " + plan.claim() + ":");
        w.println("  volume      " + plan.volumeId() + " (" + plan.sizeGiB() + " GiB " + plan.volumeType() + ", PV "
                + plan.pvName() + ")");
        w.println("  from        " + plan.fromZone());
        w.println("  to          " + plan.toZone());
        w.println("  pod         " + plan.podName() + " (" + plan.podState() + ")");
        w.println("  stops       " + plan.disruption());
        w.println("  snapshots   " + (plan.preSnapshot() ? "a pre-snapshot while the pod runs, then a final one" : "one final snapshot"));
        w.println("  keeps       the old volume and the snapshots, tagged; nothing is deleted");
        plan.notes().forEach(n -> w.println("  note        " + n));
        w.flush();
    }

    private static Map<String, Object> planJson(MigrationPlan plan) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dryRun", true);
        json.put("claim", plan.claim().toString());
        json.put("fromZone", plan.fromZone());
        json.put("toZone", plan.toZone());
        json.put("oldVolumeId", plan.volumeId());
        json.put("pv", plan.pvName());
        json.put("sizeGiB", plan.sizeGiB());
        json.put("pod", plan.podName());
        json.put("statefulSet", plan.statefulSetNamespace() + "/" + plan.statefulSetName());
        json.put("notes", plan.notes());
        return json;
    }
}
