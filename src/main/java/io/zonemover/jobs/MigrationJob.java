package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;

/** Wiring only: the migration job reads top to bottom as its steps (DESIGN.md, "The migration of one claim"). */
@Configuration(proxyBeanMethods = false)
public class MigrationJob {

    public static final String NAME = "migrate";
    public static final String PARAM_ID = "jobId";
    public static final String PARAM_CLAIM = "claim";
    public static final String PARAM_TO_ZONE = "toZone";
    public static final String PARAM_PRE_SNAPSHOT = "preSnapshot";
    public static final String PARAM_READY_TIMEOUT = "readyTimeoutSeconds";

    @Bean
    MigrationStore migrationStore(DataSource dataSource) {
        return new MigrationStore(dataSource);
    }

    /** The ports are lazy: `jobs list` and `jobs show` never connect to the cluster or to EC2. */
    @Bean
    MigrationServices migrationServices(@Lazy Cluster cluster, @Lazy BlockStore blockStore, MigrationStore store,
                                        JobRepository repository, Progress progress,
                                        @Value("${zonemover.poll-millis:2000}") long pollMillis) {
        return new MigrationServices(cluster, blockStore, store, repository, progress, pollMillis);
    }

    @Bean
    Job migrationJob(JobRepository repository, PlatformTransactionManager tx, MigrationServices services) {
        return new JobBuilder(NAME, repository)
                .listener(new RollbackOnFailure(services))
                .start(step(new PreflightStep(services), repository, tx))
                .next(step(new ProtectStep(services), repository, tx))
                .next(step(new PreSnapshotStep(services), repository, tx))
                .next(step(new QuiesceStep(services), repository, tx))
                .next(step(new FinalSnapshotStep(services), repository, tx))
                .next(step(new RestoreStep(services), repository, tx))
                .next(step(new RebindStep(services), repository, tx))
                .next(step(new RestartStep(services), repository, tx))
                .next(step(new FinishStep(services), repository, tx))
                .build();
    }

    private static Step step(MigrationStep tasklet, JobRepository repository, PlatformTransactionManager tx) {
        return new StepBuilder(tasklet.name(), repository).tasklet(tasklet, tx).build();
    }

    /**
     * A job that fails while its process lives must not leave the StatefulSet deleted: once the pod has been
     * stopped, a failure rolls the claim back to its original volume and restores the StatefulSet. A failure
     * before that stopped nothing, so the job stays resumable.
     */
    static final class RollbackOnFailure implements JobExecutionListener {

        private final MigrationServices services;

        RollbackOnFailure(MigrationServices services) {
            this.services = services;
        }

        @Override
        public void afterJob(JobExecution execution) {
            if (execution.getStatus() != BatchStatus.FAILED) {
                return;
            }
            MigrationContext ctx = new MigrationContext(execution, services.repository());
            String reason = execution.getAllFailureExceptions().stream().findFirst()
                    .map(Throwable::getMessage).orElse("unknown failure");
            services.store().audit(ctx.jobId(), null, "failed", reason);
            if (!ctx.has(MigrationContext.QUIESCE_STARTED) || ctx.has(MigrationContext.ROLLED_BACK)) {
                services.store().setOutcome(ctx.jobId(), "FAILED", null);
                return;
            }
            try {
                new Rollback(services).run(ctx);
            } catch (Exception e) {
                services.store().audit(ctx.jobId(), "rollback", "failed", String.valueOf(e.getMessage()));
                services.store().setOutcome(ctx.jobId(), "ROLLBACK_FAILED", null);
            }
        }
    }
}
