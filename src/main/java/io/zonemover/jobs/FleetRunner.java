package io.zonemover.jobs;

import io.zonemover.domain.PortError;
import io.zonemover.state.PlanStore;
import io.zonemover.state.PlanStore.MoveState;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The step that runs a plan's moves: each call is one round that sees which moves ended, decides which may
 * start, and starts them on worker threads, each as its own single-pod move job ({@link PlanMove}). A move may
 * start when: fewer than the ramp's window are in flight (one at first, one more per move that succeeded, up
 * to --parallel), no other move of its StatefulSet is in flight (each move recreates its StatefulSet), its
 * StatefulSet's disruption budget allows one more pod down ({@link SetBudgets}), no move of its StatefulSet
 * failed, fewer than --max-failures moves failed, and the user's --check passed after the last move ended.
 * Moves are taken longest StatefulSet queue first ({@link MoveOrder}). Every state is in the plan's tables, so a new process
 * picks the plan up where it stood.
 */
final class FleetRunner implements Tasklet {

    private final MigrationService moves;
    private final PlanStore plans;
    private final MigrationServices services;
    private final Map<Long, Run> runs = new ConcurrentHashMap<>();

    FleetRunner(MigrationService moves, PlanStore plans, MigrationServices services) {
        this.moves = moves;
        this.plans = plans;
        this.services = services;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws Exception {
        long execution = chunk.getStepContext().getStepExecution().getJobExecutionId();
        String planId = chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters()
                .getString(FleetJob.PARAM_PLAN);
        Run run = runs.computeIfAbsent(execution, e -> new Run(planId));
        Failpoints.beforeAction(chunk.getStepContext().getStepName(),
                chunk.getStepContext().getStepExecution().getCommitCount() + 1);
        try {
            if (run.round()) {
                runs.remove(execution);
                run.close();
                return RepeatStatus.FINISHED;
            }
        } catch (RuntimeException | Error e) {
            runs.remove(execution);
            run.close();
            throw e;
        }
        Thread.sleep(services.pollMillis());
        return RepeatStatus.CONTINUABLE;
    }

    /** One execution of the plan: its workers, the moves in flight, and what stops new moves. */
    private final class Run {
        private final String planId;
        private final PlanStore.Plan plan;
        private final ExecutorService workers;
        private final SetBudgets budgets;
        private final PlanMove planMove;
        private final Map<Integer, CompletableFuture<MoveState>> inFlight = new HashMap<>();
        private final Map<Integer, String> setOf = new HashMap<>();
        private boolean first = true;
        private boolean checkDue;
        private String paused;
        private String lastSummary;
        private long blockedSince = -1;

        Run(String planId) {
            this.planId = planId;
            this.plan = plans.find(planId).orElseThrow(() -> new IllegalStateException("no plan " + planId));
            this.workers = Executors.newFixedThreadPool(Math.max(1, plan.parallel()), r -> {
                Thread t = new Thread(r, "zonemover-move");
                t.setDaemon(true);
                return t;
            });
            this.budgets = new SetBudgets(services.cluster(), plan.maxUnavailable());
            this.planMove = new PlanMove(moves, plans, services.cluster(), Duration.ofMinutes(10));
        }

        /** One round; true when the plan has nothing left to do in this run. */
        boolean round() {
            if (first) {
                first = false;
                resumeInterrupted(plans.moves(planId));
            }
            harvest();
            if (checkDue && paused == null && plan.checkCommand() != null) {
                checkDue = false;
                String failure = UserCheck.run(plan.checkCommand());
                if (failure != null) {
                    paused = "--check failed: " + failure;
                    services.progress().report("plan", "paused: " + paused + "; moves in flight finish, no new one "
                            + "starts (`zonemover jobs resume " + planId + "` when it passes)");
                }
            }
            // Read after the harvest and the check: the workers record each move's end themselves.
            List<PlanStore.Move> all = plans.moves(planId);
            String stop = stopReason(all);
            if (stop == null) {
                startWhatMay(all);
                all = plans.moves(planId);
            }
            summarize(all);
            if (!inFlight.isEmpty()) {
                return false;
            }
            return finished(all, stop);
        }

        /** The moves still to start, in order, less those of StatefulSets a failure stopped. */
        private List<PlanStore.Move> waiting(List<PlanStore.Move> all) {
            Set<String> braked = new HashSet<>();
            all.stream().filter(m -> m.state() == MoveState.FAILED).forEach(m -> braked.add(m.statefulSet()));
            return all.stream().filter(m -> m.state() == MoveState.WAITING && !braked.contains(m.statefulSet())).toList();
        }

        /** Moves left RUNNING by a process that died are resumed first; failed ones are tried again. */
        private void resumeInterrupted(List<PlanStore.Move> all) {
            for (PlanStore.Move m : all) {
                if (m.state() == MoveState.RUNNING) {
                    services.progress().report("plan", "resuming move of " + m.pod() + " (job " + m.jobId() + ")");
                    submit(m);
                } else if (m.state() == MoveState.FAILED) {
                    plans.ended(planId, m.index(), MoveState.WAITING, "tried again on resume (was: " + m.detail() + ")");
                }
            }
        }

        private void harvest() {
            inFlight.entrySet().removeIf(e -> {
                if (!e.getValue().isDone()) {
                    return false;
                }
                checkDue = true;
                setOf.remove(e.getKey());
                return true;
            });
        }

        /** Why no new move may start at all, or null. */
        private String stopReason(List<PlanStore.Move> all) {
            long failed = all.stream().filter(m -> m.state() == MoveState.FAILED).count();
            if (failed >= plan.maxFailures()) {
                return failed + " move(s) failed (--max-failures " + plan.maxFailures() + ")";
            }
            return paused;
        }

        private void startWhatMay(List<PlanStore.Move> all) {
            long succeeded = all.stream().filter(m -> m.state() == MoveState.DONE || m.state() == MoveState.SKIPPED).count();
            long window = Math.min(plan.parallel(), 1 + succeeded);
            Set<String> busy = new HashSet<>(setOf.values());
            Set<String> refused = new HashSet<>();
            boolean anyBlocked = false;
            for (PlanStore.Move m : MoveOrder.longestQueueFirst(waiting(all))) {
                if (inFlight.size() >= window) {
                    break;
                }
                if (busy.contains(m.statefulSet()) || refused.contains(m.statefulSet())) {
                    continue;
                }
                Optional<String> blocked;
                try {
                    blocked = budgets.blocked(m.statefulSet());
                } catch (PortError e) {
                    if (!e.retryable()) {
                        throw e;
                    }
                    services.progress().report("plan", e.api() + " answered " + e.code() + "; trying again");
                    return;
                }
                if (blocked.isPresent()) {
                    refused.add(m.statefulSet());
                    anyBlocked = true;
                    services.progress().report("plan", "waiting: " + blocked.get());
                    continue;
                }
                busy.add(m.statefulSet());
                submit(m);
            }
            blockedSince = anyBlocked && inFlight.isEmpty() ? (blockedSince < 0 ? System.currentTimeMillis() : blockedSince) : -1;
        }

        private void submit(PlanStore.Move m) {
            String label = m.pod().substring(m.pod().indexOf('/') + 1);
            setOf.put(m.index(), m.statefulSet());
            inFlight.put(m.index(), CompletableFuture.supplyAsync(() -> {
                try {
                    return ProgressLabel.with(label, () -> planMove.run(m));
                } catch (Exception e) {
                    plans.ended(planId, m.index(), MoveState.FAILED, e.getMessage());
                    return MoveState.FAILED;
                }
            }, workers));
        }

        /** True when the run is over; throws when it ended with moves not done (the job fails, resumable). */
        private boolean finished(List<PlanStore.Move> all, String stop) {
            long waiting = all.stream().filter(m -> m.state() == MoveState.WAITING).count();
            long failed = all.stream().filter(m -> m.state() == MoveState.FAILED).count();
            if (waiting == 0 && failed == 0) {
                plans.setOutcome(planId, "COMPLETED", null);
                return true;
            }
            if (stop == null && waiting > 0) {
                boolean onlyBraked = all.stream().filter(m -> m.state() == MoveState.WAITING).allMatch(m ->
                        all.stream().anyMatch(f -> f.state() == MoveState.FAILED && f.statefulSet().equals(m.statefulSet())));
                if (!onlyBraked && (blockedSince < 0
                        || System.currentTimeMillis() - blockedSince < services.transientBudgetMillis())) {
                    return false;
                }
                stop = onlyBraked ? "the StatefulSets of the waiting moves had a move fail"
                        : "the waiting moves' disruption budgets allowed no move for "
                        + services.transientBudgetMillis() / 1000 + " s";
            }
            String message = "plan " + planId + " stopped: " + stop + "; " + failed + " failed, " + waiting
                    + " waiting. See `zonemover jobs show " + planId + "`; `zonemover jobs resume " + planId
                    + "` tries the failed moves again and goes on";
            plans.setOutcome(planId, "FAILED", message);
            throw new MigrationStep.StepFailure(message, null);
        }

        /** One progress line per change: per target zone, moves done, in flight, waiting and failed. */
        private void summarize(List<PlanStore.Move> all) {
            Map<String, int[]> perZone = new TreeMap<>();
            for (PlanStore.Move m : all) {
                int[] c = perZone.computeIfAbsent(m.toZone(), z -> new int[4]);
                switch (m.state()) {
                    case DONE, SKIPPED -> c[0]++;
                    case RUNNING -> c[1]++;
                    case WAITING -> c[2]++;
                    case FAILED -> c[3]++;
                }
            }
            List<String> parts = new ArrayList<>();
            perZone.forEach((zone, c) -> parts.add(zone + ": " + c[0] + " done, " + c[1] + " in flight, " + c[2]
                    + " waiting" + (c[3] > 0 ? ", " + c[3] + " failed" : "")));
            String summary = String.join("; ", parts);
            if (!summary.equals(lastSummary)) {
                lastSummary = summary;
                services.progress().report("plan", summary);
            }
        }

        /** Lets moves in flight finish (a move is never cut off by its plan), then stops the workers. */
        void close() {
            workers.shutdown();
            try {
                while (!workers.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                    services.progress().report("plan", "waiting for the moves in flight to end");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
