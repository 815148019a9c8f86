package io.zonemover.jobs;

import io.zonemover.aws.CloudException;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * A step of the migration as a small state machine: each call looks at the world and at the checkpoint,
 * does at most one thing, and says whether the step is done, must wait, or should checkpoint and go on.
 * Each call runs in its own transaction, so whatever it recorded survives a kill of the process.
 */
abstract class MigrationStep implements Tasklet {

    enum Next { DONE, WAIT, CHECKPOINT }

    /** Transient cloud errors retried inside a step before it gives up. */
    private static final int MAX_TRANSIENT_RETRIES = 60;
    private static final String RETRIES = "transientRetries";

    protected final MigrationServices services;
    private String lastMessage;

    MigrationStep(MigrationServices services) {
        this.services = services;
    }

    abstract String name();

    abstract Next next(MigrationContext ctx) throws Exception;

    @Override
    public final RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        JobExecution job = chunkContext.getStepContext().getStepExecution().getJobExecution();
        ExecutionContext stepContext = chunkContext.getStepContext().getStepExecution().getExecutionContext();
        MigrationContext ctx = new MigrationContext(job, services.repository());
        Next next;
        try {
            next = next(ctx);
        } catch (CloudException e) {
            if (!e.transientError()) {
                throw e;
            }
            int retries = stepContext.getInt(RETRIES, 0) + 1;
            if (retries > MAX_TRANSIENT_RETRIES) {
                throw e;
            }
            stepContext.putInt(RETRIES, retries);
            report("EC2 answered " + e.code() + "; trying again");
            next = Next.WAIT;
        }
        switch (next) {
            case DONE -> {
                return RepeatStatus.FINISHED;
            }
            case WAIT -> {
                Thread.sleep(services.pollMillis());
                return RepeatStatus.CONTINUABLE;
            }
            default -> {
                return RepeatStatus.CONTINUABLE;
            }
        }
    }

    /** Prints a progress line when it differs from the last one of this step. */
    protected void report(String message) {
        if (!message.equals(lastMessage)) {
            lastMessage = message;
            services.progress().report(name(), message);
        }
    }

    protected void audit(MigrationContext ctx, String action, String detail) {
        services.store().audit(ctx.jobId(), name(), action, detail);
        services.progress().report(name(), detail);
        lastMessage = detail;
    }
}
