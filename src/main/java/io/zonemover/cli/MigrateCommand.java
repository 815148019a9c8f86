package io.zonemover.cli;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationPlanner;
import io.zonemover.jobs.MigrationService;
import io.zonemover.jobs.MoveOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** `zonemover migrate`: plans the move of a pod's EBS claims (live, or a rescue from snapshots), asks, and runs it. */
@Command(name = "migrate",
        description = {"Moves a StatefulSet pod's EBS volumes to another zone and brings the pod back there.",
                "",
                "The pod is the unit: naming one claim moves every EBS claim of its pod (data and WAL, say), together, to one zone; --pod names the pod directly. Snapshots each volume (once while the pod runs, once after it stops), restores them in the target zone, binds the claims to the new volumes through static PVs, and recreates the StatefulSet without restarting its other pods. The old volumes and the snapshots are kept and tagged. The job is checkpointed: if this process dies, `zonemover jobs resume ID` continues where it stopped; from another machine, `zonemover jobs adopt NAMESPACE/CLAIM`.",
                "",
                "Once the pod has run on its new volumes nothing moves it back automatically; before that, a real failure (not an API blip) rolls the move back."},
        footerHeading = "%nExamples:%n",
        footer = {"  zonemover migrate default/www-web-3 --to auto --dry-run",
                "  zonemover migrate default/www-web-3 --to us-east-1c --yes -o json",
                "  zonemover migrate --pod default/db-3 --to auto"})
final class MigrateCommand extends BaseCommand implements Callable<Integer> {

    private static final Pattern ZONE = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+[a-z]");

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAMESPACE/CLAIM",
            description = "A claim of the pod to move, e.g. default/www-web-3 (all of the pod's EBS claims move).")
    String claim;

    @Option(names = "--pod", paramLabel = "NAMESPACE/POD", description = "The StatefulSet pod to move, e.g. default/db-3.")
    String pod;

    @Option(names = "--from-snapshot", paramLabel = "latest|SNAPSHOT_ID[,ID]",
            description = "Rescue when the volumes' zone is down: restore each claim from its volume's newest completed snapshot (`latest`; zonemover's, an EBS lifecycle policy's, Velero's...) or from the snapshots named, instead of snapshotting the volumes (which a failed zone cannot do). What the pod wrote after the snapshot is lost; the plan shows how much, per claim. The source volumes are never touched. Needs --accept-data-loss.")
    String fromSnapshot;

    @Option(names = "--accept-data-loss", description = "With --from-snapshot: go ahead, losing what was written after each snapshot (without it the plan is shown and the command refuses, exit 3).")
    boolean acceptDataLoss;

    @Option(names = "--node-is-down", description = "With --from-snapshot: the pod's node is down although EC2 does not say its instance is stopped or terminated. Only when you know it: the pod must never run twice.")
    boolean nodeIsDown;

    @Option(names = "--keep-retain", description = "Leave the new PVs with reclaim policy Retain instead of giving them the old PVs' policy.")
    boolean keepRetain;

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

    @Option(names = "--pre-snapshot-rounds", paramLabel = "N", defaultValue = "4",
            description = "Pre-copy in up to N rounds while the pod runs (default: ${DEFAULT-VALUE}; 1: one pre-snapshot). Each round is an incremental snapshot of what was written during the one before; another is taken while the last took over a minute and, from the second on, less than 80%% of the one before, so the final snapshot, taken while the pod is down, copies only about a minute's worth of writes. A round costs an incremental snapshot (billed as snapshot storage of the changed blocks) and the time it takes, while the pod still serves.")
    int preSnapshotRounds;

    @Option(names = "--volume-initialization-rate", paramLabel = "MIB_PER_S",
            description = "Have EC2 load the new volumes' blocks from the snapshot at this rate, 100 to 300 MiB/s (CreateVolume's VolumeInitializationRate): the volume reaches full speed after its size divided by the rate (a 100 GiB volume: 6 to 17 minutes), predictably, and adds nothing to the downtime. Billed by EC2 per GiB initialized, the higher the rate the more (see Amazon EBS pricing). Without it (and without --fast-snapshot-restore) EC2 loads blocks at its default pace, which fluctuates: a workload that reads its data at start (a database replaying its log) can take much longer to be Ready on a restored volume.")
    Integer volumeInitializationRate;

    @Option(names = "--fast-snapshot-restore",
            description = "Enable fast snapshot restore (FSR) of each final snapshot in the target zone before the volume is created from it, and disable it again once the volume exists: the volume is fully initialized at creation. It costs downtime and money: the final snapshot exists only once the pod has stopped, and FSR takes about a minute to start, then optimizes for 60 minutes per TiB of snapshot before it is enabled; it is billed per snapshot and zone at $0.75 per hour (us-east-1 price, a DSU-hour, billed per minute with a one-hour minimum), so about $0.75 per moved volume. Worth it only for a small volume whose first reads must be fast; --volume-initialization-rate is usually the better trade. Needs ec2:EnableFastSnapshotRestores, ec2:DescribeFastSnapshotRestores and ec2:DisableFastSnapshotRestores.")
    boolean fastSnapshotRestore;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long the pod may take to be Ready in the new zone (default: ${DEFAULT-VALUE}). A pod that never started there by then is rolled back; one that ran is left in place and the job fails, resumable.")
    Duration readyTimeout;

    @Option(names = "--poll-interval", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class,
            description = "Time between polls of EC2 and Kubernetes (default 2s; 250ms with --sim).")
    Duration pollInterval;

    @Override
    public Integer call() {
        if ((claim == null) == (pod == null)) {
            throw ZonemoverException.badInput("name either a claim (NAMESPACE/CLAIM) or --pod NAMESPACE/POD");
        }
        ClaimRef ref = ClaimRef.parse(claim != null ? claim : pod);
        if (!MigrationPlanner.AUTO.equals(to) && !ZONE.matcher(to).matches()) {
            throw ZonemoverException.badInput("'" + to + "' is not an availability zone name (like us-east-1c) or auto");
        }
        if (fromSnapshot == null && (acceptDataLoss || nodeIsDown)) {
            throw ZonemoverException.badInput("--accept-data-loss and --node-is-down go with --from-snapshot");
        }
        if (fromSnapshot != null && !fromSnapshot.equals(MigrationPlanner.SnapshotSource.LATEST)
                && !fromSnapshot.matches("snap-[0-9a-f]+(,snap-[0-9a-f]+)*")) {
            throw ZonemoverException.badInput("--from-snapshot takes `latest` or snapshot ids (snap-...), comma-separated; got "
                    + fromSnapshot);
        }
        MigrationPlanner.SnapshotSource source = fromSnapshot == null ? null
                : new MigrationPlanner.SnapshotSource(fromSnapshot, nodeIsDown);
        MoveOptions options = new MoveOptions(preSnapshotRounds, volumeInitializationRate, fastSnapshotRestore);
        connections().kube(); // a bad kubeconfig is refused before the state database is touched
        try (var progress = StepEvents.printing(connections(), err());
             JobEngine engine = JobEngine.start(connections(), progress, pollMillis(global(), pollInterval))) {
            MigrationService service = engine.migrations();
            MigrationPlan plan = service.plan(ref, pod != null, to, !noPreSnapshot, source);
            printPlan(plan, options);
            if (dryRun) {
                if (global().json()) {
                    out().println(Json.write(planJson(plan)));
                } else {
                    out().println("Dry run: nothing was changed.");
                }
                return 0;
            }
            if (source != null && !acceptDataLoss) {
                throw ZonemoverException.refused("a rescue from snapshots loses what pod " + plan.podName() + " wrote "
                        + "after them (up to " + plan.dataLossWindowSeconds() + " s, per claim above); rerun with "
                        + "--accept-data-loss to go ahead, or wait for the zone to come back and lose nothing");
            }
            if (!Confirm.ask(root().input(), err(), "Move pod " + plan.podName() + " to " + plan.toZone() + "?", yes)) {
                throw ZonemoverException.refused("not confirmed; nothing changed (rerun with --yes to skip the question)");
            }
            MigrationService.Result result = service.start(plan, pod != null, readyTimeout, keepRetain, source, options);
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

    private void printPlan(MigrationPlan plan, MoveOptions options) {
        java.io.PrintWriter w = global().json() ? err() : out();
        w.println("Plan for pod " + plan.statefulSetNamespace() + "/" + plan.podName() + ":");
        for (MigrationPlan.ClaimMove move : plan.moves()) {
            w.println("  claim       " + move.claim().name() + ": " + move.volumeId() + " (" + move.sizeGiB() + " GiB "
                    + move.volumeType() + ", PV " + move.pvName() + ") in " + move.fromZone()
                    + (move.sourceSnapshotId() == null ? "" : "; from snapshot " + move.sourceSnapshotId() + ", "
                    + move.recoveryPointAgeSeconds() + " s old: what was written since is lost"));
        }
        w.println("  from        " + plan.fromZone());
        w.println("  to          " + plan.toZone());
        w.println("  pod         " + plan.podName() + " (" + plan.podState() + ")");
        w.println("  stops       " + plan.disruption());
        w.println("  snapshots   " + (plan.fromSnapshots() ? "none taken: the volumes' zone is down; restored from the snapshots above"
                : !plan.preSnapshot() ? "one final snapshot"
                : options.preSnapshotRounds() == 1 ? "a pre-snapshot while the pod runs, then a final one"
                : "pre-snapshots while the pod runs (up to " + options.preSnapshotRounds() + " rounds, until one takes "
                        + "under a minute), then a final one"));
        if (options.volumeInitializationRate() != null || options.fastSnapshotRestore()) {
            w.println("  restores    " + (options.fastSnapshotRestore() ? "with fast snapshot restore in " + plan.toZone()
                    + " (enabled after the final snapshot, disabled once the volumes exist)"
                    : "at a volume initialization rate of " + options.volumeInitializationRate() + " MiB/s"));
        }
        if (plan.deadNode() != null) {
            w.println("  node        " + plan.deadNode() + " is down; it gets the node.kubernetes.io/out-of-service taint so "
                    + "Kubernetes releases the pod (remove it once the node is back)");
        }
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
        json.put("claims", plan.moves().stream().map(m -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("claim", m.claim().toString());
            c.put("pv", m.pvName());
            c.put("volumeId", m.volumeId());
            c.put("fromZone", m.fromZone());
            c.put("sizeGiB", m.sizeGiB());
            c.put("fromSnapshot", m.sourceSnapshotId());
            c.put("recoveryPointAgeSeconds", m.recoveryPointAgeSeconds());
            return c;
        }).toList());
        json.put("sizeGiB", plan.sizeGiB());
        json.put("pod", plan.podName());
        json.put("statefulSet", plan.statefulSetNamespace() + "/" + plan.statefulSetName());
        json.put("dataLossWindowSeconds", plan.dataLossWindowSeconds());
        json.put("notes", plan.notes());
        return json;
    }
}
