package io.zonemover.jobs;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan;
import io.zonemover.fleet.FleetReader;
import io.zonemover.fleet.FleetState;
import io.zonemover.fleet.Ledger;
import io.zonemover.state.MigrationStore;
import io.zonemover.state.PlanStore;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The use cases behind `rebalance` and a plan's `jobs ...`: read the fleet, check a plan, apply, resume, show. */
@Service
public class FleetService {

    /**
     * One move of a plan as `jobs show` and `-o json` give it.
     *
     * @param worker      the worker that ran it (plans shared by workers), or null
     * @param takenOverFrom the worker whose lease on it lapsed before {@code worker} took it over, or null
     */
    public record MoveView(int index, String pod, String statefulSet, String from, String to, String state,
                           String jobId, String detail, Double seconds, String worker, String takenOverFrom) {
    }

    /** How a plan stands or ended. */
    public record PlanResult(String planId, String name, String status, Map<String, Long> counts,
                             List<MoveView> moves, String message) {
    }

    private final JobOperator operator;
    private final Job job;
    private final PlanStore plans;
    private final MigrationStore store;
    private final MigrationServices services;
    private final MigrationService moves;

    public FleetService(JobOperator operator, @Qualifier("rebalanceJob") Job job, PlanStore plans, MigrationStore store,
                        MigrationServices services, MigrationService moves) {
        this.moves = moves;
        this.operator = operator;
        this.job = job;
        this.plans = plans;
        this.store = store;
        this.services = services;
    }

    /** The selected StatefulSets, per pod and zone, for the planner. */
    public FleetState read(FleetPlan.Selection selection) {
        return new FleetReader(services.cluster(), services.blockStore()).read(selection);
    }

    /**
     * Checks a plan against the cluster before anything changes: every StatefulSet, pod and claim it names
     * exists (bad input otherwise), every target zone is a zone of the region, and the target zones have room
     * for all of its moves together (a refusal otherwise). Errors name {@code source}'s line of the move.
     */
    public void check(FleetPlan plan, String source) {
        Set<String> sets = new LinkedHashSet<>();
        plan.moves().forEach(m -> sets.add(m.setRef()));
        FleetState state = new FleetReader(services.cluster(), services.blockStore()).readSets(sets);
        Map<String, FleetState.SetState> bySet = new LinkedHashMap<>();
        state.sets().forEach(s -> bySet.put(s.ref(), s));
        Ledger room = new Ledger(state.nodes());
        for (int i = 0; i < plan.moves().size(); i++) {
            FleetPlan.Move move = plan.moves().get(i);
            String where = source + ":" + move.line() + ": spec.moves[" + i + "]";
            FleetState.SetState set = bySet.get(move.setRef());
            if (!state.zones().contains(move.to())) {
                throw ZonemoverException.badInput(where + ".to: " + move.to() + " is not a zone of this region ("
                        + String.join(", ", state.zones()) + ")");
            }
            FleetState.PodState pod = set.pods().stream().filter(p -> p.name().equals(move.podName())).findFirst()
                    .orElseThrow(() -> ZonemoverException.badInput(where + ".pod: " + move.pod() + " is not a pod of "
                            + "StatefulSet " + move.setRef() + " with EBS claims (" + set.replicas() + " replicas)"));
            for (FleetState.ClaimState claim : move.claims()) {
                if (pod.claims().stream().noneMatch(c -> c.name().equals(claim.name()))) {
                    throw ZonemoverException.badInput(where + ".claims: " + claim.name() + " is not an EBS claim of pod "
                            + move.pod() + " (it has " + String.join(", ", pod.claims().stream()
                            .map(FleetState.ClaimState::name).toList()) + ")");
                }
            }
            boolean there = pod.claims().stream().allMatch(c -> c.zone().equals(move.to()));
            if (!there && room.reserve(move.to(), set.needs()).isEmpty()) {
                throw ZonemoverException.refused(where + ": zone " + move.to() + " has no room for pod " + move.pod()
                        + " with the moves before it: " + room.fit(move.to(), set.needs()).summary());
            }
        }
    }

    /** Records the plan with its limits and runs it as one job; returns how it ended. */
    public PlanResult apply(FleetPlan plan, String source, String body, String checkCommand) {
        String id = "zp-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        List<PlanStore.Move> moves = waitingMoves(id, plan);
        FleetPlan.Limits limits = plan.limits();
        plans.create(new PlanStore.Plan(id, plan.name(), source, body, limits.parallel(), limits.maxUnavailable(),
                limits.maxFailures(), checkCommand, null, null, null, null), moves);
        services.progress().report("plan", "plan " + id + " (" + plan.name() + "): " + moves.size() + " move(s), up to "
                + limits.parallel() + " at once (`zonemover jobs show " + id + "` to watch it)");
        return runOwned(id, () -> operator.start(job, identifying(id)));
    }

    /** The plan's moves as plan {@code id} records them before any has started. */
    private static List<PlanStore.Move> waitingMoves(String id, FleetPlan plan) {
        List<PlanStore.Move> moves = new ArrayList<>();
        for (int i = 0; i < plan.moves().size(); i++) {
            FleetPlan.Move m = plan.moves().get(i);
            moves.add(new PlanStore.Move(id, i, m.pod(), m.setRef(), m.from(), m.to(), null, PlanStore.MoveState.WAITING,
                    null, null, null));
        }
        return moves;
    }

    /**
     * Joins the plan as one of several workers (`apply --worker`): the first worker records the plan under an id
     * all workers derive from the plan file's content (or the --plan-id they are given), the others find it
     * there; then this one claims and runs moves until the plan is complete or stopped with nothing left for it.
     * A worker given other limits than the plan was recorded with is refused: the limits hold across workers.
     */
    public PlanResult applyAsWorker(FleetPlan plan, String source, String body, String checkCommand, String planId,
                                    String worker, Duration lease) {
        String id = planId != null ? planId : sharedId(body);
        List<PlanStore.Move> moves = waitingMoves(id, plan);
        FleetPlan.Limits limits = plan.limits();
        PlanStore.Plan wanted = new PlanStore.Plan(id, plan.name(), source, body, limits.parallel(),
                limits.maxUnavailable(), limits.maxFailures(), checkCommand, null, null, null, null);
        if (plans.createShared(wanted, moves, lease)) {
            services.progress().report("plan", "plan " + id + " (" + plan.name() + "): " + moves.size() + " move(s), "
                    + "shared by its workers, up to " + limits.parallel() + " at once across them (`zonemover jobs show "
                    + id + "` to watch it)");
        } else {
            PlanStore.Plan there = plans.find(id).orElseThrow();
            String differs = differences(there, wanted);
            if (differs != null) {
                throw ZonemoverException.badInput("plan " + id + " was recorded with " + differs + "; every worker "
                        + "of a plan must apply the same file with the same limits (or give another --plan-id)");
            }
            services.progress().report("plan", "plan " + id + " (" + there.name() + "): worker " + worker + " joins");
        }
        return work(id, worker);
    }

    /** What makes a recorded plan another than the one a worker came to apply, or null when it is the same. */
    private static String differences(PlanStore.Plan there, PlanStore.Plan wanted) {
        if (!there.shared()) {
            return "one process applying it, not workers";
        }
        if (!there.body().equals(wanted.body())) {
            return "another plan file (" + there.source() + ")";
        }
        if (there.parallel() != wanted.parallel() || there.maxUnavailable() != wanted.maxUnavailable()
                || there.maxFailures() != wanted.maxFailures()) {
            return "--parallel " + there.parallel() + " --max-unavailable " + there.maxUnavailable()
                    + " --max-failures " + there.maxFailures();
        }
        if (!java.util.Objects.equals(there.checkCommand(), wanted.checkCommand())) {
            return there.checkCommand() == null ? "no --check" : "--check " + there.checkCommand();
        }
        return null;
    }

    /** The id every worker of a plan file derives alike: zp- and the first 12 hex digits of its SHA-256. */
    public static String sharedId(String body) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "zp-" + HexFormat.of().formatHex(hash).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This process as one worker of a shared plan, until nothing is left for it; the plan's state as it left it. */
    private PlanResult work(String id, String worker) {
        PlanStore.Plan plan = plans.find(id).orElseThrow();
        PlanWorker.Outcome outcome;
        try {
            outcome = new PlanWorker(plans, store, new PlanMove(moves, plans, services.cluster(), Duration.ofMinutes(10)),
                    new SetBudgets(services.cluster(), plan.maxUnavailable()), services, id, worker).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ZonemoverException.failed("worker " + worker + " of plan " + id + " interrupted", e);
        }
        PlanResult now = show(id);
        return new PlanResult(id, now.name(), outcome.completed() ? "COMPLETED" : "FAILED", now.counts(), now.moves(),
                outcome.message());
    }

    /** This process's worker id when none is given (pid@host). */
    public static String defaultWorkerId() {
        return PlanWorker.defaultId();
    }

    /** Goes on with a plan: moves done stay done, interrupted ones resume (or roll back), failed ones are tried again. */
    public PlanResult resume(String id) {
        PlanStore.Plan found = plans.find(id)
                .orElseThrow(() -> ZonemoverException.badInput("no plan " + id + " (see `zonemover jobs list`)"));
        if (found.shared()) {
            return resumeAsWorker(found);
        }
        JobExecution last = lastExecution(id).orElseThrow(() -> ZonemoverException.refused("plan " + id
                + " never started; apply it again"));
        if (last.getStatus() == org.springframework.batch.core.BatchStatus.COMPLETED) {
            throw ZonemoverException.refused("plan " + id + " already completed; nothing to resume");
        }
        // Started again with its identifying parameters, Batch restarts the failed instance; restart(execution)
        // would look the job up in a registry that a lazily started context has not filled.
        return runOwned(id, () -> {
            if (last.isRunning()) {
                operator.recover(last);
            }
            return operator.start(job, identifying(id));
        });
    }

    /**
     * A plan its workers share goes on with this process as one more worker, once its failed moves are back to
     * waiting and a pause is lifted (workers still running join in as they claim).
     */
    private PlanResult resumeAsWorker(PlanStore.Plan plan) {
        List<PlanStore.Move> all = plans.moves(plan.id());
        if (all.stream().allMatch(m -> m.state() == PlanStore.MoveState.DONE || m.state() == PlanStore.MoveState.SKIPPED)) {
            throw ZonemoverException.refused("plan " + plan.id() + " already completed; nothing to resume");
        }
        for (PlanStore.Move m : all) {
            if (m.state() == PlanStore.MoveState.FAILED) {
                plans.ended(plan.id(), m.index(), PlanStore.MoveState.WAITING, "tried again on resume (was: " + m.detail()
                        + ")");
            }
        }
        plans.pause(plan.id(), null);
        plans.setOutcome(plan.id(), null, null);
        return work(plan.id(), PlanWorker.defaultId());
    }

    public boolean isPlan(String id) {
        return plans.find(id).isPresent();
    }

    public List<PlanStore.Plan> list() {
        return plans.all();
    }

    /** How the plan stands now, from its tables (no cluster call). */
    public PlanResult show(String id) {
        PlanStore.Plan plan = plans.find(id).orElseThrow(() -> ZonemoverException.badInput("no plan " + id));
        List<MoveView> views = new ArrayList<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (PlanStore.MoveState s : PlanStore.MoveState.values()) {
            counts.put(s.name().toLowerCase(java.util.Locale.ROOT), 0L);
        }
        for (PlanStore.Move m : plans.moves(id)) {
            Double seconds = m.startedAt() == null || m.endedAt() == null ? null
                    : Duration.between(m.startedAt(), m.endedAt()).toMillis() / 1000.0;
            views.add(new MoveView(m.index(), m.pod(), m.statefulSet(), m.fromZone(), m.toZone(), m.state().name(),
                    m.jobId(), m.detail(), seconds, m.worker(), m.previousWorker()));
            counts.merge(m.state().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
        }
        // A plan its workers share runs in no Batch job of its own: its rows say how it stands.
        String status = plan.shared()
                ? plan.outcome() != null ? plan.outcome() : counts.get("waiting") == views.size() ? "NEW" : "STARTED"
                : lastExecution(id).map(e -> e.getStatus().name()).orElse("NEW");
        String message = "COMPLETED".equals(status) ? null : plan.paused() != null ? "paused: " + plan.paused()
                : plan.message();
        return new PlanResult(id, plan.name(), status, counts, views, message);
    }

    private static JobParameters identifying(String planId) {
        return new JobParametersBuilder().addString(FleetJob.PARAM_PLAN, planId, true).toJobParameters();
    }

    private Optional<JobExecution> lastExecution(String id) {
        return JobViews.lastExecution(services.repository(), FleetJob.NAME, FleetJob.PARAM_PLAN, id);
    }

    /** Runs with this process as the plan's owner, heartbeating, so no one else runs it meanwhile. */
    private PlanResult runOwned(String id, OwnedRun.Run run) {
        return OwnedRun.run(store, id, run, execution -> show(id));
    }
}
