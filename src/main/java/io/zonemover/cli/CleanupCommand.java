package io.zonemover.cli;

import io.zonemover.aws.Ec2BlockStore;
import io.zonemover.cleanup.CleanupPlan;
import io.zonemover.cleanup.LeftoverFinder;
import io.zonemover.cleanup.LeftoverRemover;
import io.zonemover.cleanup.MonthlyCost;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.domain.EbsVolumeId;
import io.zonemover.domain.ZonemoverException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** `zonemover cleanup`: deletes the source volumes and snapshots completed moves kept, after the retention. */
@Command(name = "cleanup",
        description = {"Deletes what completed moves kept on purpose: the source volume (tagged "
                + "zonemover.io/superseded-by) and the move's snapshots (tagged zonemover.io/job), once the move is "
                + "complete (its new volume in use, the claim Bound to it, the pod Ready) and the move is older than "
                + "--older-than by EC2's clock. Shows what it will delete and what each costs a month (us-east-1 "
                + "list prices), asks, then deletes.",
                "",
                "Refuses (exit 3, deleting nothing) any volume that is attached, that a PV other than a Released "
                        + "one names, or that is not zonemover's (no zonemover.io/superseded-by tag). The old PVs "
                        + "(Released, Retain) are listed for `kubectl delete pv`, not deleted."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  deleted what was due, or nothing was due (or --dry-run shown)",
                "  1  some deletion failed; the rest were done, run it again", "  2  bad input, nothing changed",
                "  3  refused by a safety check, or not confirmed; nothing changed",
                "", "Examples:", "  zonemover cleanup --dry-run", "  zonemover cleanup --older-than 14d --yes -o json"})
final class CleanupCommand extends BaseCommand implements Callable<Integer> {

    @Parameters(paramLabel = "VOLUME", arity = "0..*",
            description = "Only these source volumes (default: every volume tagged zonemover.io/superseded-by).")
    List<String> volumeIds = List.of();

    @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "7d", converter = DurationConverter.class,
            description = "Retention: only moves older than this, by EC2's clock, e.g. 7d, 36h (default: ${DEFAULT-VALUE}).")
    Duration olderThan;

    @Option(names = "--dry-run", description = "Show what would be deleted, and change nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() {
        // Everything the user typed is checked before EC2 is asked anything.
        List<String> only = volumeIds.stream().map(id -> EbsVolumeId.parse(id).id()).distinct().toList();
        KubeCluster cluster = new KubeCluster(connections().kube());
        Ec2BlockStore blockStore = new Ec2BlockStore(connections().ec2());
        CleanupPlan plan = new LeftoverFinder(cluster, blockStore).plan(olderThan, only);
        CleanupOutput output = new CleanupOutput(out(), err(), global().json());
        output.plan(plan, dryRun);
        if (!plan.refusals().isEmpty()) {
            throw ZonemoverException.refused("nothing deleted: " + plan.refusals().stream()
                    .map(r -> r.volumeId() + " is " + r.reason()).collect(Collectors.joining("; ")));
        }
        if (dryRun || plan.due().isEmpty()) {
            return 0;
        }
        if (!Confirm.ask(root().input(), err(), "Delete " + plan.due().size() + " volume(s) and "
                + plan.dueSnapshots() + " snapshot(s), saving about " + MonthlyCost.format(plan.dueMonthlyUsd())
                + " a month?", yes)) {
            throw ZonemoverException.refused("not confirmed; nothing changed (rerun with --yes to skip the question)");
        }
        List<LeftoverRemover.Outcome> outcomes = new LeftoverRemover(cluster, blockStore).run(plan);
        output.report(plan, outcomes);
        return outcomes.stream().anyMatch(o -> o.error() != null) ? 1 : 0;
    }
}
