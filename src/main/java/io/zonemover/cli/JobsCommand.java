package io.zonemover.cli;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.FleetService;
import io.zonemover.jobs.JobViews;
import io.zonemover.jobs.SplitService;
import io.zonemover.jobs.MigrationService;
import io.zonemover.domain.ClaimRef;
import io.zonemover.state.MigrationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `zonemover jobs`: lists, shows, resumes, rolls back and adopts moves. */
@Command(name = "jobs",
        description = {"Lists, inspects, resumes and rolls back migration jobs. Jobs live in the state database (--db; default ~/.zonemover/state, or DIR/state with --sim)."},
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class, JobsCommand.Resume.class,
                JobsCommand.RollbackJob.class, JobsCommand.Adopt.class})
final class JobsCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "list", description = "Lists jobs, newest first: status (Spring Batch's word), claim, zones, age.")
    static final class ListJobs extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            try (JobEngine engine = JobEngine.start(connections(), new ProgressPrinter(err()), 2000)) {
                List<JobViews.JobView> jobs = engine.migrations().views().list();
                List<FleetService.PlanResult> plans = engine.fleet().list().stream()
                        .map(p -> engine.fleet().show(p.id())).toList();
                if (global().json()) {
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (JobViews.JobView job : jobs) {
                        rows.add(summary(job));
                    }
                    for (FleetService.PlanResult plan : plans) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("planId", plan.planId());
                        row.put("name", plan.name());
                        row.put("status", plan.status());
                        row.put("counts", plan.counts());
                        rows.add(row);
                    }
                    out().println(Json.write(rows));
                    return 0;
                }
                if (!plans.isEmpty()) {
                    Table table = Table.of("PLAN", "STATUS", "NAME", "MOVES");
                    plans.forEach(p -> table.row(p.planId(), p.status(), p.name(), p.counts()));
                    table.print(out());
                    out().println();
                }
                if (jobs.isEmpty()) {
                    out().println("No jobs yet. Start one with `zonemover migrate NAMESPACE/CLAIM --to ZONE`.");
                    return 0;
                }
                Table table = Table.of("JOB", "STATUS", "OUTCOME", "CLAIM", "FROM", "TO", "NEW VOLUME", "AGE");
                for (JobViews.JobView job : jobs) {
                    MigrationStore.Migration m = job.migration();
                    table.row(m.id(), statusWords(job), m.outcome(), m.claim(), m.fromZone(), m.toZone(),
                            m.newVolume(), age(m.createdAt()));
                }
                table.print(out());
                return 0;
            }
        }
    }

    @Command(name = "show", description = "Shows one job: each step's state and time, the resources it created, the audit trail.")
    static final class Show extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "Job id, as `zonemover jobs list` shows it (zm-...).")
        String id;

        @Override
        public Integer call() {
            try (JobEngine engine = JobEngine.start(connections(), new ProgressPrinter(err()), 2000)) {
                if (engine.fleet().isPlan(id)) {
                    PlanOutput.printResult(engine.fleet().show(id), global().json(), out());
                    return 0;
                }
                JobViews.JobView job = engine.migrations().views().show(id);
                if (global().json()) {
                    Map<String, Object> json = summary(job);
                    json.put("checkpoint", job.checkpoint());
                    json.put("steps", job.steps());
                    // Instants as ISO-8601 text: the JSON writer has no java.time support.
                    json.put("audit", job.audit().stream().map(e -> {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("at", e.at().toString());
                        entry.put("step", e.step());
                        entry.put("action", e.action());
                        entry.put("detail", e.detail());
                        return entry;
                    }).toList());
                    json.put("lease", leaseJson(job.lease()));
                    out().println(Json.write(json));
                    return 0;
                }
                MigrationStore.Migration m = job.migration();
                boolean sameWord = m.outcome() == null || m.outcome().equals(job.status());
                out().printf("Job %s: %s%s%n", m.id(), statusWords(job), sameWord ? "" : " (" + m.outcome() + ")");
                out().printf("  claim %s, %s -> %s, volume %s -> %s%n", m.claim(), m.fromZone(), m.toZone(),
                        m.oldVolume(), m.newVolume() == null ? "-" : m.newVolume());
                if (m.downtimeSeconds() != null) {
                    out().printf("  downtime %.1fs%n", m.downtimeSeconds());
                }
                if (job.lease() != null) {
                    out().printf("  owner %s, lease %s%s%n", job.lease().describe(), job.lease().leaseWords(),
                            job.owner() != null ? "" : ": no live owner, `zonemover jobs resume " + m.id()
                                    + "` takes it over");
                }
                out().println();
                Table steps = Table.of("STEP", "STATUS", "SECONDS", "ITERATIONS");
                job.steps().forEach(s -> steps.row(s.name(), s.status(), String.format("%.1f", s.seconds()), s.iterations()));
                steps.print(out());
                out().println();
                out().println("Resources and checkpoint:");
                job.checkpoint().forEach((k, v) -> out().printf("  %-22s %s%n", k, v));
                out().println();
                out().println("Audit trail:");
                for (MigrationStore.AuditEntry e : job.audit()) {
                    out().printf("  %s  %-15s %-11s %s%n", e.at(), e.step() == null ? "-" : e.step(), e.action(),
                            e.detail() == null ? "" : e.detail());
                }
                return 0;
            }
        }
    }

    /** Resume and rollback: say what will happen, ask, act, print the result. */
    abstract static class JobAction extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "Job id, as `zonemover jobs list` shows it (zm-...).")
        String id;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Option(names = "--poll-interval", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class)
        Duration pollInterval;

        abstract String intent(JobViews.JobView job);

        abstract MigrationService.Result act(MigrationService service);

        abstract boolean succeeded(MigrationService.Result result);

        /** The same action on a split-per-zone job: only resume is possible (a split goes forward only). */
        Integer split(SplitService splits) {
            throw ZonemoverException.refused(id + " is a split-per-zone job, which goes forward only; "
                    + "`zonemover jobs resume " + id + "` continues it");
        }

        /** The same action on a plan (zp-...): its moves are jobs of their own. */
        Integer plan(FleetService fleet) {
            throw ZonemoverException.badInput(id + " is a plan; roll back its moves one by one (`zonemover jobs show "
                    + id + "` lists their jobs)");
        }

        @Override
        public Integer call() {
            connections().kube(); // a bad kubeconfig is refused before the state database is touched
            try (var progress = StepEvents.printing(connections(), err());
                 JobEngine engine = JobEngine.start(connections(), progress,
                    MigrateCommand.pollMillis(global(), pollInterval))) {
                MigrationService service = engine.migrations();
                if (engine.fleet().isPlan(id)) {
                    return plan(engine.fleet());
                }
                if (engine.splits().isSplit(id)) {
                    return split(engine.splits());
                }
                err().println(intent(service.views().show(id)));
                if (!Confirm.ask(root().input(), err(), "Proceed with job " + id + "?", yes)) {
                    throw ZonemoverException.refused("not confirmed; nothing changed");
                }
                MigrationService.Result result = act(service);
                printResult(result, global().json(), out());
                return succeeded(result) ? 0 : 1;
            }
        }
    }

    @Command(name = "resume", description = {"Continues a failed or interrupted job from its last checkpoint. A job left running by a process that was killed is taken over only when no live process holds it. A job that was rolling back finishes its rollback."})
    static final class Resume extends JobAction {
        private boolean rollingBack;

        @Override
        String intent(JobViews.JobView job) {
            String outcome = job.migration().outcome();
            rollingBack = "ROLLING_BACK".equals(outcome) || "ROLLBACK_FAILED".equals(outcome);
            if (rollingBack) {
                return "Resume " + id + " (" + statusWords(job) + "): finish rolling back " + job.migration().claim()
                        + " to its original volumes in " + job.migration().fromZone() + ".";
            }
            return "Resume " + id + " (" + statusWords(job) + "): continue moving " + job.migration().claim() + " to "
                    + job.migration().toZone() + " from its last checkpoint.";
        }

        @Override
        MigrationService.Result act(MigrationService service) {
            return service.resume(id);
        }

        @Override
        Integer split(SplitService splits) {
            if (!Confirm.ask(root().input(), err(), "Resume split " + id + "?", yes)) {
                throw ZonemoverException.refused("not confirmed; nothing changed");
            }
            SplitService.Result result = splits.resume(id);
            PlanOutput.printSplit(result, global().json(), out());
            return "COMPLETED".equals(result.status()) ? 0 : 1;
        }

        @Override
        Integer plan(FleetService fleet) {
            err().println("Resume plan " + id + ": moves done stay done, interrupted ones resume (or roll back), failed "
                    + "ones are tried again, the rest go on within the plan's limits.");
            if (!Confirm.ask(root().input(), err(), "Proceed with plan " + id + "?", yes)) {
                throw ZonemoverException.refused("not confirmed; nothing changed");
            }
            FleetService.PlanResult result = fleet.resume(id);
            PlanOutput.printResult(result, global().json(), out());
            return "COMPLETED".equals(result.status()) ? 0 : 1;
        }

        @Override
        boolean succeeded(MigrationService.Result result) {
            return rollingBack ? "ROLLED_BACK".equals(result.outcome()) : "COMPLETED".equals(result.status());
        }
    }

    @Command(name = "rollback", description = {"Binds the claims back to their original volumes and restores the StatefulSet, as a checkpointed job of its own: if it is interrupted, `jobs resume ID` or `jobs rollback ID` again finishes it. Deletes only the static PVs zonemover created; the new volumes and the snapshots are kept and tagged.",
            "Refused once the pod has run on its new volumes (that would drop what it wrote since), unless --discard-new-writes."})
    static final class RollbackJob extends JobAction {
        @Option(names = "--discard-new-writes", description = "Roll back even though the pod has run on its new volumes: what it wrote there since is abandoned (still on the new volumes, which are kept).")
        boolean discardNewWrites;

        @Override
        String intent(JobViews.JobView job) {
            return "Rollback of " + id + " puts " + job.migration().claim() + " back on " + job.migration().oldVolume()
                    + " in " + job.migration().fromZone() + " and recreates its StatefulSet; the PV zonemover created "
                    + "is deleted, volumes and snapshots are kept.";
        }

        @Override
        MigrationService.Result act(MigrationService service) {
            return service.rollback(id, discardNewWrites);
        }

        @Override
        boolean succeeded(MigrationService.Result result) {
            return "ROLLED_BACK".equals(result.outcome());
        }
    }

    @Command(name = "adopt", description = {"Takes over a move interrupted on another machine (or recorded in another state database): reads the move's record kept in the cluster beside the claim (ConfigMap zonemover-JOB), rebuilds the job in this machine's state database, and finishes it, or finishes its rollback if one had begun. `zonemover diagnose` names the claim as an InterruptedMove.",
            "Make sure the process that ran the move is gone: two processes must not run one move."})
    static final class Adopt extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAMESPACE/CLAIM", description = "A claim of the interrupted move.")
        String claim;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Option(names = "--poll-interval", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class)
        Duration pollInterval;

        @Override
        public Integer call() {
            ClaimRef ref = ClaimRef.parse(claim);
            try (var progress = StepEvents.printing(connections(), err());
                 JobEngine engine = JobEngine.start(connections(), progress,
                    MigrateCommand.pollMillis(global(), pollInterval))) {
                err().println("Adopt the move holding " + ref + ": rebuild it here from its record in the cluster and "
                        + "finish it (or its rollback).");
                if (!Confirm.ask(root().input(), err(), "Adopt the move of " + ref + "?", yes)) {
                    throw ZonemoverException.refused("not confirmed; nothing changed");
                }
                MigrationService.Result result = engine.migrations().adopt(ref);
                printResult(result, global().json(), out());
                return "COMPLETED".equals(result.status()) || "ROLLED_BACK".equals(result.outcome()) ? 0 : 1;
            }
        }
    }

    static Map<String, Object> summary(JobViews.JobView job) {
        MigrationStore.Migration m = job.migration();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("jobId", m.id());
        row.put("status", job.status());
        row.put("outcome", m.outcome());
        row.put("claim", m.claim());
        row.put("fromZone", m.fromZone());
        row.put("toZone", m.toZone());
        row.put("oldVolumeId", m.oldVolume());
        row.put("newVolumeId", m.newVolume());
        row.put("downtimeSeconds", m.downtimeSeconds());
        row.put("createdAt", m.createdAt().toString());
        row.put("runningIn", job.owner());
        return row;
    }

    /** The job's lease for `jobs show -o json`: who holds it and until when (database clock), or null. */
    static Map<String, Object> leaseJson(MigrationStore.Owner lease) {
        if (lease == null) {
            return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("host", lease.host());
        map.put("pid", lease.pid());
        map.put("instance", lease.instanceId());
        map.put("until", lease.leaseUntil() == null ? null : lease.leaseUntil().toString());
        map.put("secondsLeft", lease.leaseLeft().toMillis() / 1000.0);
        map.put("live", MigrationStore.alive(lease));
        return map;
    }

    static void printResult(MigrationService.Result r, boolean json, PrintWriter out) {
        if (json) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("jobId", r.jobId());
            map.put("status", r.status());
            map.put("outcome", r.outcome());
            map.put("claim", r.claim());
            map.put("pod", r.pod());
            map.put("claims", r.claims());
            map.put("fromZone", r.fromZone());
            map.put("toZone", r.toZone());
            map.put("oldVolumeId", r.oldVolumeId());
            map.put("newVolumeId", r.newVolumeId());
            map.put("downtimeSeconds", r.downtimeSeconds());
            map.put("dataLossWindowSeconds", r.dataLossWindowSeconds());
            map.put("message", r.message());
            map.put("warning", r.warning());
            map.put("steps", r.steps());
            out.println(Json.write(map));
            return;
        }
        out.println();
        if ("ROLLED_BACK".equals(r.outcome())) {
            out.printf("Job %s rolled back: pod %s is on its original volumes in %s again.%s%n", r.jobId(), r.pod(),
                    r.fromZone(), r.message() == null ? "" : " Cause: " + r.message());
        } else if ("COMPLETED".equals(r.status())) {
            out.printf("Done: %s moved from %s to %s (pod %s), downtime %.1fs. Job %s.%n", String.join(", ",
                    r.claims().stream().map(MigrationService.ClaimResult::claim).toList()), r.fromZone(), r.toZone(),
                    r.pod(), r.downtimeSeconds() == null ? 0.0 : r.downtimeSeconds(), r.jobId());
            for (MigrationService.ClaimResult c : r.claims()) {
                out.printf("  %s: %s -> %s%n", c.claim(), c.oldVolumeId(), c.newVolumeId());
            }
            out.printf("The old volumes and the snapshots are kept (tagged zonemover.io/superseded-by).%n");
            if (r.warning() != null) {
                out.println("Warning: " + r.warning());
            }
        } else {
            out.printf("Job %s %s: %s%n", r.jobId(), r.status(), r.message() == null ? "" : r.message());
            out.printf("State is kept: `zonemover jobs resume %s` continues, `zonemover jobs rollback %s` undoes.%n",
                    r.jobId(), r.jobId());
        }
        Table steps = Table.of("STEP", "STATUS", "SECONDS");
        r.steps().forEach(s -> steps.row(s.name(), s.status(), String.format("%.1f", s.seconds())));
        steps.print(out);
    }

    static String statusWords(JobViews.JobView job) {
        if ("STARTED".equals(job.status()) && job.owner() == null) {
            return "STARTED (no live process: resume or roll back)";
        }
        return job.status();
    }

    static String age(Instant since) {
        Duration d = Duration.between(since, Instant.now());
        if (d.toDays() > 0) {
            return d.toDays() + "d";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m" : Math.max(0, d.toSeconds()) + "s";
    }
}
