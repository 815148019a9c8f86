package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan;
import io.zonemover.fleet.FleetReader;
import io.zonemover.fleet.FleetState;
import io.zonemover.fleet.SplitPlanner;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The use cases behind {@code rebalance plan --split-per-zone sts/NAME}, {@code rebalance apply} of such a plan,
 * and {@code jobs resume} of its job: plan, apply, resume, and what a run came to.
 */
@Service
public class SplitService {

    /** How a run ended, for the summary and {@code -o json}. */
    public record Result(String jobId, String status, String outcome, String statefulSet, List<String> zoneSets,
                         List<PodResult> pods, String message, List<JobViews.StepTiming> steps) {
    }

    /** One pod of the original and where it went; {@code ready} once it ran Ready in its zone set. */
    public record PodResult(String pod, String newPod, String fromZone, String toZone, boolean ready,
                            List<ClaimResult> claims) {
    }

    /** One claim carried: re-bound (same volume) or copied (new volume in the new zone). */
    public record ClaimResult(String claim, String newClaim, String oldVolumeId, String newVolumeId, boolean copied) {
    }

    private final JobOperator operator;
    private final Job split;
    private final MigrationStore store;
    private final MigrationServices services;
    private final JobViews views;

    public SplitService(JobOperator operator, @Qualifier("splitJob") Job split, MigrationStore store,
                        MigrationServices services) {
        this.operator = operator;
        this.split = split;
        this.store = store;
        this.services = services;
        this.views = new JobViews(services.repository(), store);
    }

    /**
     * The split plan for StatefulSet NAMESPACE/NAME into {@code zones} (empty: every zone its pods may run
     * in), read from the cluster now; refused (exit 3) when a zone lacks room.
     */
    public FleetPlan plan(String namespace, String name, List<String> zones) {
        FleetState state = new FleetReader(services.cluster(), services.blockStore()).readSets(
                List.of(namespace + "/" + name));
        if (state.sets().isEmpty()) {
            throw ZonemoverException.refused("StatefulSet " + namespace + "/" + name + " is being deleted");
        }
        return SplitPlanner.plan(state, state.sets().get(0), zones, Instant.now());
    }

    /** Applies a split plan with a 10-minute ready timeout per pod, leaving PV reclaim policies as they were. */
    public Result apply(FleetPlan plan) {
        return apply(plan, Duration.ofMinutes(10), false);
    }

    /**
     * Checks the plan against the cluster, takes every claim of the StatefulSet (state database lock, then
     * annotation; refused, exit 3, if one is taken: nothing changed, no job left), then creates and runs the
     * job. {@code readyTimeout} bounds each new pod's wait for Ready; past it the job fails, resumable.
     */
    public Result apply(FleetPlan plan, Duration readyTimeout, boolean keepRetain) {
        if (plan.strategy().type() != FleetPlan.StrategyType.SPLIT_PER_ZONE || plan.moves().isEmpty()) {
            throw ZonemoverException.badInput("not a split-per-zone plan with moves");
        }
        FleetPlan.Move first = plan.moves().get(0);
        for (FleetPlan.Move m : plan.moves()) {
            if (!m.setRef().equals(first.setRef())) {
                throw ZonemoverException.badInput("a split plan splits one StatefulSet; it names " + first.setRef()
                        + " and " + m.setRef());
            }
            if (!plan.strategy().zones().isEmpty() && !plan.strategy().zones().contains(m.to())) {
                throw ZonemoverException.badInput("move of " + m.pod() + " goes to " + m.to() + ", not one of the "
                        + "plan's zones " + plan.strategy().zones());
            }
        }
        String moves = SplitMoves.encode(plan);
        var sts = SplitPreflightStep.check(services.cluster(), first.namespace(), first.statefulSet(),
                SplitMoves.parse(moves));
        List<ClaimRef> claims = new ArrayList<>();
        for (String template : sts.claimTemplates()) {
            for (int ordinal = 0; ordinal < sts.replicas(); ordinal++) {
                claims.add(new ClaimRef(first.namespace(), sts.claimName(template, ordinal)));
            }
        }
        String id = MigrationService.newJobId();
        ClaimLocks.take(services, claims, id, views::status);
        List<String> from = plan.moves().stream().map(FleetPlan.Move::from).distinct().sorted().toList();
        List<String> to = plan.moves().stream().map(FleetPlan.Move::to).distinct().sorted().toList();
        store.create(id, first.setRef(), String.join(",", from), String.join(",", to), null);
        store.audit(id, null, "started", "split " + first.setRef() + " (" + plan.moves().size() + " pods) into "
                + to.stream().map(z -> SplitPlanner.zoneSetName(first.statefulSet(), z)).toList());
        services.progress().report("job", "job " + id + " started (`zonemover jobs show " + id + "` to watch it)");
        JobParameters params = new JobParametersBuilder()
                .addString(MigrationJob.PARAM_ID, id, true)
                .addString(SplitJob.PARAM_STATEFUL_SET, first.setRef(), false)
                .addString(SplitJob.PARAM_MOVES, moves, false)
                .addString(MigrationJob.PARAM_READY_TIMEOUT, String.valueOf(readyTimeout.toSeconds()), false)
                .addString(MigrationJob.PARAM_KEEP_RETAIN, String.valueOf(keepRetain), false)
                .toJobParameters();
        return OwnedRun.run(store, id, () -> failedNoted(id, operator.start(split, params)), e -> result(id, e));
    }

    /** True when {@code id} is a split job (so `jobs resume` sends it here). */
    public boolean isSplit(String id) {
        return views.lastExecution(SplitJob.NAME, id).isPresent();
    }

    /** Resumes a split job from its checkpoint, in this process; refused if another process runs it. */
    public Result resume(String id) {
        JobExecution last = views.lastExecution(SplitJob.NAME, id).orElseThrow(() ->
                ZonemoverException.badInput("no split job " + id + " (see `zonemover jobs list`)"));
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw ZonemoverException.refused("job " + id + " already completed; nothing to resume");
        }
        return OwnedRun.run(store, id, () -> {
            JobExecution execution = last.isRunning() ? operator.recover(last) : last;
            store.audit(id, null, "resumed", "resumed from step " + JobViews.currentStep(execution));
            return failedNoted(id, operator.restart(execution));
        }, e -> result(id, e));
    }

    /** Where a split job stands now. */
    public Result show(String id) {
        return result(id, views.lastExecution(SplitJob.NAME, id).orElseThrow(() ->
                ZonemoverException.badInput("no split job " + id + " (see `zonemover jobs list`)")));
    }

    private JobExecution failedNoted(String id, JobExecution execution) {
        if (execution.getStatus() == BatchStatus.FAILED) {
            store.setOutcome(id, "FAILED", null);
        }
        return execution;
    }

    private Result result(String id, JobExecution execution) {
        SplitContext s = new SplitContext(new MigrationContext(execution, services.repository()));
        List<PodResult> pods = new ArrayList<>();
        for (int p = 0; p < s.podCount(); p++) {
            List<ClaimResult> claims = new ArrayList<>();
            List<String> zones = new ArrayList<>();
            for (int c = 0; c < s.claimCount(p); c++) {
                claims.add(new ClaimResult(s.oldClaim(p, c).toString(), s.newClaim(p, c).toString(),
                        s.get(SplitContext.OLD_VOLUME, p, c), s.copied(p, c) ? s.get(CopyToZone.NEW_VOLUME, p, c)
                        : s.get(SplitContext.OLD_VOLUME, p, c), s.copied(p, c)));
                zones.add(s.get(SplitContext.ZONE, p, c));
            }
            String fromZone = String.join(",", zones.stream().distinct().toList());
            pods.add(new PodResult(s.namespace() + "/" + s.oldPod(p), s.namespace() + "/" + s.newPod(p), fromZone,
                    s.toZone(p), s.has(CarryStep.READY_AT, p), claims));
        }
        String message = execution.getAllFailureExceptions().stream().findFirst().map(Throwable::getMessage).orElse(null);
        List<String> sets = s.zones().stream().map(z -> s.namespace() + "/" + SplitPlanner.zoneSetName(s.statefulSet(), z))
                .toList();
        String outcome = store.find(id).map(MigrationStore.Migration::outcome).orElse(null);
        return new Result(id, execution.getStatus().name(), outcome, s.namespace() + "/" + s.statefulSet(), sets, pods,
                message, views.timings(execution.getJobInstance()));
    }
}
