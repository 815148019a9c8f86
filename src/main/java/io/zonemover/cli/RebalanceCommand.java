package io.zonemover.cli;

import io.zonemover.aws.Ec2BlockStore;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.domain.LabelSelector;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan;
import io.zonemover.fleet.FleetPlanner;
import io.zonemover.fleet.FleetReader;
import io.zonemover.fleet.FleetState;
import io.zonemover.fleet.PlanFile;
import io.zonemover.fleet.SplitPlanner;
import io.zonemover.jobs.FleetService;
import io.zonemover.jobs.SplitService;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `zonemover rebalance`: plans zone work for many StatefulSets (spread, evacuate) and applies a plan as one job. */
@Command(name = "rebalance",
        description = {"Planned zone work for fleets: spread StatefulSets evenly over the zones, evacuate zones before maintenance, or split a StatefulSet into one per zone, as one resumable job that never breaks quorum.",
                "",
                "`plan` reads the cluster and writes a plan file (review it, edit it, keep it in git); `apply` runs it: every move is the move of one pod with all of its EBS claims (as `zonemover migrate --pod` does it), within each StatefulSet's PodDisruptionBudget, one pod of a StatefulSet at a time, ramping up from one move to --parallel. `zonemover jobs resume PLAN` continues a plan that stopped."},
        subcommands = {RebalanceCommand.Plan.class, RebalanceCommand.Apply.class})
final class RebalanceCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** Which StatefulSets a plan covers. */
    static final class SelectionOptions {
        @Parameters(paramLabel = "sts/NAME", arity = "0..*",
                description = "StatefulSets to plan for, e.g. sts/orders (in -n's namespace, or NAMESPACE/NAME).")
        List<String> named = new ArrayList<>();

        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "StatefulSets of this namespace.")
        String namespace;

        @Option(names = {"-A", "--all-namespaces"}, description = "StatefulSets of every namespace.")
        boolean all;

        @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR",
                description = "Only StatefulSets whose labels match, e.g. app=db,tier!=cache.")
        String selector;

        FleetPlan.Selection selection() {
            if (namespace != null && all) {
                throw ZonemoverException.badInput("-n and -A exclude each other");
            }
            List<String> sets = new ArrayList<>();
            for (String n : named) {
                String name = n.startsWith("sts/") ? n.substring(4) : n.startsWith("statefulset/") ? n.substring(12) : null;
                if (name == null || name.isEmpty()) {
                    throw ZonemoverException.badInput("'" + n + "' is not a StatefulSet; name it sts/NAME");
                }
                sets.add(name.contains("/") ? name : (namespace == null ? "default" : namespace) + "/" + name);
            }
            if (sets.isEmpty() && namespace == null && !all) {
                throw ZonemoverException.badInput("select StatefulSets: sts/NAME, -n NAMESPACE, or -A (with -l SELECTOR to narrow)");
            }
            LabelSelector.parse(selector);
            return new FleetPlan.Selection(namespace == null ? List.of() : List.of(namespace), all, selector, sets);
        }
    }

    /** What a plan does. */
    static final class StrategyOptions {
        @Option(names = "--spread", description = "Move as few pods as possible so that each StatefulSet's pods are within one of even over the zones that have room (the default).")
        boolean spread;

        @Option(names = "--evacuate", paramLabel = "ZONE[,ZONE]", split = ",",
                description = "Move every selected pod out of these zones, spread over the others (zone maintenance, a node group's retirement, an EKS zonal shift).")
        List<String> evacuate;

        @Option(names = "--split-per-zone", paramLabel = "sts/NAME",
                description = "Replace one StatefulSet by one per zone (NAME-<zone>, each pinned to its zone by a required node affinity, replicas divided among them), carrying each pod's volumes into the set of its zone: volumes already in the right zone are re-bound, others copied. One pod is stopped at a time; the original is removed only after the new sets are Ready.")
        String splitPerZone;
    }

    @Command(name = "plan", description = {"Reads the selected StatefulSets and prints (or writes, with --out) the plan: the moves, and a before/after table of pods per zone per StatefulSet. Changes nothing."},
            footerHeading = "%nExamples:%n",
            footer = {"  zonemover rebalance plan -n shop --out spread.yaml",
                    "  zonemover rebalance plan -A -l tier=db --evacuate us-east-1b --out evacuate-1b.yaml",
                    "  zonemover rebalance plan -n shop --split-per-zone sts/orders --out split-orders.yaml",
                    "  zonemover rebalance apply spread.yaml --parallel 3"})
    static final class Plan extends BaseCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        SelectionOptions select = new SelectionOptions();

        @ArgGroup(exclusive = true)
        StrategyOptions strategy;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the plan file here (review, then `zonemover rebalance apply FILE`).")
        Path out;

        @Option(names = "--zones", paramLabel = "ZONE[,ZONE]", split = ",",
                description = "With --split-per-zone: the zones of the new StatefulSets (default: every zone its pods may run in).")
        List<String> splitZones = new ArrayList<>();

        @Option(names = "--parallel", paramLabel = "N", defaultValue = "1", description = "Recorded in the plan: most moves at once (default ${DEFAULT-VALUE}).")
        int parallel;

        @Option(names = "--max-unavailable", paramLabel = "N", defaultValue = "1", description = "Recorded in the plan: most pods of one StatefulSet down at once where no PodDisruptionBudget selects them (default ${DEFAULT-VALUE}).")
        int maxUnavailable;

        @Option(names = "--max-failures", paramLabel = "N", defaultValue = "1", description = "Recorded in the plan: failed moves after which no new move starts (default ${DEFAULT-VALUE}).")
        int maxFailures;

        @Override
        public Integer call() throws IOException {
            boolean split = strategy != null && strategy.splitPerZone != null;
            if (split) {
                select.named.add(strategy.splitPerZone);
            } else if (!splitZones.isEmpty()) {
                throw ZonemoverException.badInput("--zones goes with --split-per-zone");
            }
            FleetPlan.Selection selection = select.selection();
            if (split && selection.statefulSets().size() != 1) {
                throw ZonemoverException.badInput("--split-per-zone takes one StatefulSet; name no other");
            }
            FleetPlan.Limits limits = Limits.of(parallel, maxUnavailable, maxFailures);
            connections().kube();
            FleetState state = new FleetReader(new KubeCluster(connections().kube()),
                    new Ec2BlockStore(connections().ec2())).read(selection);
            if (state.sets().isEmpty()) {
                throw ZonemoverException.badInput("no StatefulSet matches the selection");
            }
            List<String> zones = strategy == null || strategy.evacuate == null ? List.of() : strategy.evacuate;
            checkZones("--evacuate", zones, state);
            checkZones("--zones", splitZones, state);
            FleetPlanner planner = new FleetPlanner();
            FleetPlan plan = split ? SplitPlanner.plan(state, state.sets().get(0), splitZones, Instant.now())
                    : zones.isEmpty() ? planner.spread(state, selection, limits)
                    : planner.evacuate(state, selection, zones, limits);
            if (global().json()) {
                out().println(Json.write(plan));
            } else {
                PlanOutput.print(plan, out());
            }
            if (out != null) {
                PlanFile.write(plan, out);
                (global().json() ? err() : out()).println("Plan written to " + out + "; apply it with `zonemover rebalance apply "
                        + out + "`.");
            } else if (!global().json()) {
                out().println("Nothing written; add --out FILE to keep the plan, then `zonemover rebalance apply FILE`.");
            }
            return 0;
        }

        private static void checkZones(String option, List<String> zones, FleetState state) {
            for (String z : zones) {
                if (!state.zones().contains(z)) {
                    throw ZonemoverException.badInput(option + ": " + z + " is not a zone of this region ("
                            + String.join(", ", state.zones()) + ")");
                }
            }
        }
    }

    @Command(name = "apply", description = {"Runs a plan file as one resumable job: each move is one pod with all of its EBS claims, never more pods of a StatefulSet down than its PodDisruptionBudget allows (or --max-unavailable), one move of a StatefulSet at a time, zone by zone, starting with one move and doubling up to --parallel. A move that fails rolls back as `migrate` does and stops that StatefulSet's moves; after --max-failures no new move starts. The plan is checked against the cluster before anything changes."},
            footerHeading = "%nExamples:%n",
            footer = {"  zonemover rebalance apply spread.yaml --dry-run",
                    "  zonemover rebalance apply spread.yaml --parallel 4 --check 'psql -c \"select 1\"' --yes",
                    "  zonemover jobs resume zp-1a2b3c       # after an interruption",
                    "  # one of several workers: the same line on each machine, or in each pod of an Indexed Job",
                    "  zonemover --db jdbc:postgresql://db/zm rebalance apply spread.yaml --worker --yes"})
    static final class Apply extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "A plan file from `zonemover rebalance plan --out`.")
        Path file;

        @Option(names = "--parallel", paramLabel = "N", description = "Most moves at once (default: the plan's).")
        Integer parallel;

        @Option(names = "--max-unavailable", paramLabel = "N", description = "Most pods of one StatefulSet down at once where no PodDisruptionBudget selects them (default: the plan's).")
        Integer maxUnavailable;

        @Option(names = "--max-failures", paramLabel = "N", description = "Failed moves after which no new move starts (default: the plan's).")
        Integer maxFailures;

        @Option(names = "--check", paramLabel = "CMD", description = "A command run (sh -c) after each move ends and before the next starts: a health query, a replication-lag check. When it fails the plan pauses: moves in flight finish, no new one starts; `zonemover jobs resume PLAN` goes on.")
        String check;

        @Option(names = "--dry-run", description = "Check the plan against the cluster, show it, and change nothing.")
        boolean dryRun;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Option(names = "--poll-interval", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class)
        Duration pollInterval;

        @Option(names = "--worker", description = "Join as one of several workers sharing the plan through the state database (--db: a database server they all reach, e.g. PostgreSQL; the default H2 file is served to other processes by the first one that opened it, so its end cuts them off): several processes, on several machines or in the pods of a Kubernetes Indexed Job, apply the same file with the same limits; each claims the next move the limits allow and runs one move at a time. --parallel is then the most moves in flight across all workers, which is also what bounds the EC2 requests they make together; the disruption budgets and --max-failures hold across them too. A worker killed mid-move has its move taken over by another once its lease lapses. Exits 0 when the plan is complete, 1 when it stopped and nothing is left for this worker.")
        boolean worker;

        @Option(names = "--worker-id", paramLabel = "NAME", description = "With --worker: this worker's name in `zonemover jobs show PLAN` (default: PID@HOST; in a pod, HOST is the pod's name).")
        String workerId;

        @Option(names = "--plan-id", paramLabel = "ID", description = "With --worker: the plan's id, the same for all its workers (default: zp- and a hash of the plan file's content, so workers given the same file agree without talking).")
        String planId;

        @Override
        public Integer call() {
            if (!worker && (workerId != null || planId != null)) {
                throw ZonemoverException.badInput("--worker-id and --plan-id go with --worker");
            }
            if (planId != null && !planId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw ZonemoverException.badInput("--plan-id: '" + planId + "' is not an id (letters, digits, . _ -; "
                        + "at most 64)");
            }
            if (workerId != null && (workerId.isBlank() || workerId.length() > 255)) {
                throw ZonemoverException.badInput("--worker-id must be 1 to 255 characters");
            }
            Limits.of(parallel == null ? 1 : parallel, maxUnavailable == null ? 1 : maxUnavailable,
                    maxFailures == null ? 1 : maxFailures);  // bad overrides are named before the file is read
            String body;
            try {
                body = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw ZonemoverException.badInput("cannot read plan " + file + ": " + e.getMessage());
            }
            List<String> zones = new Ec2BlockStore(connections().ec2()).zones();
            FleetPlan read = PlanFile.read(file.toString(), new StringReader(body), zones);
            FleetPlan.Limits limits = Limits.of(parallel == null ? read.limits().parallel() : parallel,
                    maxUnavailable == null ? read.limits().maxUnavailable() : maxUnavailable,
                    maxFailures == null ? read.limits().maxFailures() : maxFailures);
            FleetPlan plan = new FleetPlan(read.name(), read.createdAt(), read.selection(), read.strategy(), limits,
                    read.moves(), read.before(), read.after(), read.notes());
            connections().kube(); // a bad kubeconfig is refused before the state database is touched
            try (var progress = StepEvents.printing(connections(), err());
                 JobEngine engine = JobEngine.start(connections(), progress,
                    MigrateCommand.pollMillis(global(), pollInterval), worker ? 1 : limits.parallel())) {
                FleetService fleet = engine.fleet();
                boolean split = plan.strategy().type() == FleetPlan.StrategyType.SPLIT_PER_ZONE;
                if (split && worker) {
                    throw ZonemoverException.badInput("--worker: a split plan (--split-per-zone) runs in one process");
                }
                String sharedId = worker ? (planId != null ? planId : FleetService.sharedId(body)) : null;
                // A worker joining a plan already under way skips the check: its moved pods no longer match it.
                if (!split && (sharedId == null || !fleet.isPlan(sharedId))) {
                    fleet.check(plan, file.toString());  // a split plan is checked by the split service itself
                }
                PrintWriter w = global().json() ? err() : out();
                PlanOutput.print(plan, w);
                w.println(split ? "One pod at a time; the original StatefulSet is removed once every new one is Ready."
                        : "Limits: up to " + limits.parallel() + " move(s) at once (ramping up from 1), "
                        + limits.maxUnavailable() + " pod(s) of a StatefulSet down where no PodDisruptionBudget says, stop after "
                        + limits.maxFailures() + " failure(s)" + (check == null ? "" : "; --check " + check));
                w.flush();
                if (plan.moves().isEmpty()) {
                    w.println("Nothing to do: the plan has no moves.");
                    return 0;
                }
                if (dryRun) {
                    w.println("Dry run: the plan is valid against the cluster; nothing was changed.");
                    return 0;
                }
                if (!Confirm.ask(root().input(), err(), "Apply " + plan.moves().size() + " move(s)?", yes)) {
                    throw ZonemoverException.refused("not confirmed; nothing changed (rerun with --yes to skip the question)");
                }
                if (split) {
                    SplitService.Result result = engine.splits().apply(plan);
                    PlanOutput.printSplit(result, global().json(), out());
                    return "COMPLETED".equals(result.status()) ? 0 : 1;
                }
                FleetService.PlanResult result = worker
                        ? fleet.applyAsWorker(plan, file.toAbsolutePath().toString(), body, check, sharedId,
                        workerId != null ? workerId : FleetService.defaultWorkerId(),
                        // The global --lease: a worker's claim on a move lasts as long as a job's ownership.
                        global().lease())
                        : fleet.apply(plan, file.toAbsolutePath().toString(), body, check);
                PlanOutput.printResult(result, global().json(), out());
                return "COMPLETED".equals(result.status()) ? 0 : 1;
            }
        }
    }

    /** Limits as given on the command line: positive numbers, or bad input naming the option. */
    static final class Limits {
        private Limits() {
        }

        static FleetPlan.Limits of(int parallel, int maxUnavailable, int maxFailures) {
            if (parallel < 1 || parallel > 50) {
                throw ZonemoverException.badInput("--parallel must be from 1 to 50, got " + parallel);
            }
            if (maxUnavailable < 1) {
                throw ZonemoverException.badInput("--max-unavailable must be at least 1, got " + maxUnavailable);
            }
            if (maxFailures < 1) {
                throw ZonemoverException.badInput("--max-failures must be at least 1, got " + maxFailures);
            }
            return new FleetPlan.Limits(parallel, maxUnavailable, maxFailures);
        }
    }
}
