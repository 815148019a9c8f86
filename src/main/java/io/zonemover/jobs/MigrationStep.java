package io.zonemover.jobs;

import io.zonemover.domain.PortError;
import io.zonemover.jobs.MigrationContext.Key;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * A step of the move as a small state machine, forwards ({@link #next}) and backwards ({@link #undo}): each
 * call looks at the world and at the checkpoint, does at most one thing, and says whether it is done, must
 * wait, or should checkpoint and go on. Each call runs in its own transaction, so whatever it recorded
 * survives a kill of the process. Transient errors and conflicts from either API are waited out here with
 * backoff; only a rejection, or transient errors for longer than the budget, fail the step.
 */
abstract class MigrationStep {

    /**
     * What a call of the step did: DONE; WAIT (nothing changed; look again after a while); CHECKPOINT (recorded
     * progress, copied into the move's record in the cluster; go on at once); AGAIN (recorded something only
     * this run needs, such as an intent; go on at once, the cluster's record is left as it is).
     */
    enum Next { DONE, WAIT, CHECKPOINT, AGAIN }

    /** The longest wait between two looks at a change under way, whatever it is expected to take. */
    static final long MAX_WAIT_MILLIS = 30_000;
    /** ...and never more than this many poll intervals (so a poll interval of 0, as in tests, never waits). */
    static final long MAX_WAIT_POLLS = 120;

    /**
     * Written when a step fails for a real reason after the pod was stopped and before it ran on its new
     * volumes: the move is then rolled back (automatically, or by `jobs resume`).
     */
    static final Key ROLLBACK_REQUESTED = new Key("rollbackRequested");

    private static final String TRANSIENT_SINCE = "transientSince";
    private static final String TRANSIENT_COUNT = "transientCount";
    private static final String TRANSIENT_EXECUTION = "transientExecution";

    protected final MigrationServices services;
    /** Per thread, as each step object serves every move in flight (a plan runs several at once). */
    private final ThreadLocal<String> lastMessage = new ThreadLocal<>();
    private final ThreadLocal<Boolean> recordPending = ThreadLocal.withInitial(() -> false);
    private final ThreadLocal<Long> waitHint = new ThreadLocal<>();

    MigrationStep(MigrationServices services) {
        this.services = services;
    }

    abstract String name();

    abstract Next next(MigrationContext ctx) throws Exception;

    /** Takes back what this step did; by default there is nothing to take back. */
    Next undo(MigrationContext ctx) throws Exception {
        return Next.DONE;
    }

    /** The step forwards, as a tasklet of the move job. */
    Tasklet forward() {
        return (contribution, chunk) -> run(chunk, false);
    }

    /** The step backwards, as a tasklet of the rollback job. */
    Tasklet backward() {
        return (contribution, chunk) -> run(chunk, true);
    }

    static Key doneKey(String step, boolean undo) {
        return new Key((undo ? "undone." : "done.") + step);
    }

    private RepeatStatus run(ChunkContext chunk, boolean undo) throws Exception {
        JobExecution job = chunk.getStepContext().getStepExecution().getJobExecution();
        ExecutionContext stepContext = chunk.getStepContext().getStepExecution().getExecutionContext();
        MigrationContext ctx = new MigrationContext(job, services.repository());
        Key done = doneKey(name(), undo);
        if (ctx.has(done)) {
            // Finished in an earlier run (a move adopted from its record starts from the first step again).
            return RepeatStatus.FINISHED;
        }
        String stepName = chunk.getStepContext().getStepName();
        long iteration = chunk.getStepContext().getStepExecution().getCommitCount() + 1;
        Failpoints.beforeAction(stepName, iteration);
        Next next;
        waitHint.remove();
        try {
            next = undo ? undo(ctx) : next(ctx);
            Failpoints.afterAction(stepName, iteration);
            if (next == Next.DONE || next == Next.CHECKPOINT) {
                recordPending.set(true);
            }
            if (recordPending.get()) {
                new MoveRecord(services).saveIfActive(ctx, undo ? "rollback" : name());
                recordPending.set(false);
            }
            stepContext.remove(TRANSIENT_SINCE);
            stepContext.remove(TRANSIENT_COUNT);
        } catch (PortError e) {
            if (!e.retryable()) {
                throw requestRollback(ctx, undo, e);
            }
            next = waitOut(e, stepContext, job.getId());
        } catch (RuntimeException e) {
            throw requestRollback(ctx, undo, e);
        }
        switch (next) {
            case DONE -> {
                ctx.put(done, System.currentTimeMillis());
                return RepeatStatus.FINISHED;
            }
            case WAIT -> {
                Long hint = waitHint.get();
                Thread.sleep(hint == null ? services.pollMillis() : bounded(hint, services.pollMillis()));
                return RepeatStatus.CONTINUABLE;
            }
            default -> {
                return RepeatStatus.CONTINUABLE;
            }
        }
    }

    /**
     * WAIT, for about as long as the change waited for is still expected to take ({@link ChangePace}) rather than
     * one poll interval: bounded by {@link #bounded}.
     */
    protected Next waitAbout(long millis) {
        waitHint.set(millis);
        return Next.WAIT;
    }

    /** At least one poll interval; at most {@link #MAX_WAIT_MILLIS}, and at most {@link #MAX_WAIT_POLLS} intervals. */
    static long bounded(long millis, long pollMillis) {
        long ceiling = Math.min(MAX_WAIT_MILLIS, pollMillis * MAX_WAIT_POLLS);
        return Math.max(pollMillis, Math.min(millis, ceiling));
    }

    /** Waits a transient error out with backoff, within the budget; past it the step fails. */
    private Next waitOut(PortError e, ExecutionContext stepContext, long execution) throws InterruptedException {
        long now = System.currentTimeMillis();
        if (stepContext.getLong(TRANSIENT_EXECUTION, -1) != execution) {
            // A window opened by an earlier run (carried over by a restart) is not this run's.
            stepContext.remove(TRANSIENT_SINCE);
            stepContext.remove(TRANSIENT_COUNT);
            stepContext.putLong(TRANSIENT_EXECUTION, execution);
        }
        long since = stepContext.containsKey(TRANSIENT_SINCE) ? stepContext.getLong(TRANSIENT_SINCE) : now;
        int count = stepContext.containsKey(TRANSIENT_COUNT) ? stepContext.getInt(TRANSIENT_COUNT) : 0;
        if (now - since > services.transientBudgetMillis()) {
            throw new StepFailure(e.api() + " kept failing for " + (now - since) / 1000 + " s (last: " + e.getMessage()
                    + "); nothing was rolled back: `zonemover jobs resume` continues when it answers again", e);
        }
        stepContext.putLong(TRANSIENT_SINCE, since);
        stepContext.putInt(TRANSIENT_COUNT, count + 1);
        report(e.api() + " answered " + e.code() + (e.kind() == PortError.Kind.CONFLICT ? " (conflict): re-reading"
                : ": trying again"));
        // Exponential backoff on top of the poll interval, capped at 8 intervals.
        Thread.sleep(services.pollMillis() * Math.min(1L << Math.min(count, 3), 8) - services.pollMillis());
        return Next.WAIT;
    }

    /**
     * A real failure after the pod was stopped and before it ran on its new volumes: record that the move
     * must be rolled back. After the point of no return, or before anything stopped, the job just fails
     * and is resumed forward.
     */
    private RuntimeException requestRollback(MigrationContext ctx, boolean undo, RuntimeException e) {
        if (!undo && ctx.has(QuiesceStep.STARTED) && !ctx.has(RestartStep.RAN_ON_NEW_VOLUMES)
                && !ctx.has(ROLLBACK_REQUESTED)) {
            ctx.put(ROLLBACK_REQUESTED, name() + ": " + e.getMessage());
        }
        return e;
    }

    /** Prints a progress line when it differs from the last one of this step. */
    protected void report(String message) {
        if (!message.equals(lastMessage.get())) {
            lastMessage.set(message);
            services.progress().report(name(), message);
        }
    }

    protected void audit(MigrationContext ctx, String action, String detail) {
        services.store().audit(ctx.jobId(), name(), action, detail);
        services.progress().report(name(), detail);
        lastMessage.set(detail);
    }

    /** A step that cannot go on: the job fails with this message. */
    static final class StepFailure extends RuntimeException {
        StepFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
