package io.zonemover.jobs;

import io.zonemover.domain.ZonemoverException;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;

import java.util.Map;

/**
 * Fills an empty checkpoint before the first step runs: an adopted move's from its record in the cluster,
 * and a rollback's from the move it takes back (a copy, so the rollback's own progress never mixes with the
 * move's facts).
 */
final class Seed implements JobExecutionListener {

    private static final MigrationContext.Key SEEDED = new MigrationContext.Key("seeded");

    private final MigrationServices services;
    private final boolean rollback;

    Seed(MigrationServices services, boolean rollback) {
        this.services = services;
        this.rollback = rollback;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        MigrationContext ctx = new MigrationContext(execution, services.repository());
        if (ctx.has(SEEDED)) {
            return;
        }
        if (Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_ADOPT))) {
            MoveRecord.Saved saved = new MoveRecord(services).read(ctx.namespace(), ctx.jobId()).orElseThrow(() ->
                    ZonemoverException.failed("the record of move " + ctx.jobId() + " is gone from the cluster", null));
            ctx.seed(saved.checkpoint());
        } else if (rollback) {
            ctx.seed(moveCheckpoint(ctx.jobId()));
        }
        ctx.put(SEEDED, "true");
    }

    private Map<String, String> moveCheckpoint(String jobId) {
        JobInstance instance = services.repository().getJobInstance(MigrationJob.NAME,
                new JobParametersBuilder().addString(MigrationJob.PARAM_ID, jobId, true).toJobParameters());
        if (instance == null) {
            throw ZonemoverException.failed("no move " + jobId + " to roll back", null);
        }
        JobExecution last = services.repository().getLastJobExecution(instance);
        return new MigrationContext(last, services.repository()).snapshot();
    }
}
