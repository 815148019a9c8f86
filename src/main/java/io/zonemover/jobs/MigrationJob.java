package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.util.List;

/**
 * Wiring only: the move reads top to bottom as its steps (DESIGN.md, "The migration of one claim"), and its
 * rollback as the same steps' undos in reverse. Adding a step means one class and one line in each list.
 */
@Configuration(proxyBeanMethods = false)
public class MigrationJob {

    public static final String NAME = "migrate";
    public static final String ROLLBACK = "rollback";
    public static final String PARAM_ID = "jobId";
    public static final String PARAM_CLAIM = "claim";
    public static final String PARAM_POD = "pod";
    public static final String PARAM_TO_ZONE = "toZone";
    public static final String PARAM_PRE_SNAPSHOT = "preSnapshot";
    /** The most pre-copy rounds (PreSnapshotStep); absent: one. */
    public static final String PARAM_PRE_SNAPSHOT_ROUNDS = "preSnapshotRounds";
    /** VolumeInitializationRate (MiB/s) for the new volumes; absent: EC2's default. */
    public static final String PARAM_INIT_RATE = "volumeInitializationRate";
    /** "true": fast snapshot restore of the final snapshots in the target zone while the volumes are created. */
    public static final String PARAM_FAST_RESTORE = "fastSnapshotRestore";
    public static final String PARAM_READY_TIMEOUT = "readyTimeoutSeconds";
    public static final String PARAM_KEEP_RETAIN = "keepRetain";
    /** A rescue: restore from these snapshots (`latest` or ids) instead of snapshotting the volumes. */
    public static final String PARAM_FROM_SNAPSHOT = "fromSnapshot";
    public static final String PARAM_NODE_IS_DOWN = "nodeIsDown";
    /** Set when the job's checkpoint is to be read from the move's record in the cluster (`jobs adopt`). */
    public static final String PARAM_ADOPT = "adopt";
    /** The parameters a move's record carries, so another machine can run the same job. */
    static final List<String> PARAMS = List.of(PARAM_ID, PARAM_CLAIM, PARAM_POD, PARAM_TO_ZONE, PARAM_PRE_SNAPSHOT,
            PARAM_READY_TIMEOUT, PARAM_KEEP_RETAIN, PARAM_FROM_SNAPSHOT, PARAM_NODE_IS_DOWN, PARAM_PRE_SNAPSHOT_ROUNDS,
            PARAM_INIT_RATE, PARAM_FAST_RESTORE);

    @Bean
    MigrationStore migrationStore(DataSource dataSource, @Value("${zonemover.lease-millis:30000}") long leaseMillis) {
        return new MigrationStore(dataSource, java.time.Duration.ofMillis(leaseMillis));
    }

    /** The ports are lazy: `jobs list` and `jobs show` never connect to the cluster or to EC2. */
    @Bean
    MigrationServices migrationServices(@Lazy Cluster cluster, @Lazy BlockStore blockStore, MigrationStore store,
                                        JobRepository repository, Progress progress,
                                        @Value("${zonemover.poll-millis:2000}") long pollMillis,
                                        @Value("${zonemover.transient-budget-seconds:600}") long budgetSeconds) {
        return new MigrationServices(cluster, blockStore, store, repository, progress, pollMillis, budgetSeconds * 1000);
    }

    /** The move's steps, in order. */
    static List<MigrationStep> steps(MigrationServices services) {
        return List.of(
                new PreflightStep(services),
                new ProtectStep(services),
                new PreSnapshotStep(services),
                new QuiesceStep(services),
                new FinalSnapshotStep(services),
                new RestoreStep(services),
                new RebindStep(services),
                new RestartStep(services),
                new FinishStep(services));
    }

    @Bean
    Job migrationJob(JobRepository repository, PlatformTransactionManager tx, MigrationServices services) {
        return chain(new JobBuilder(NAME, repository).listener(new Seed(services, false)), steps(services), false,
                repository, tx);
    }

    /** The rollback: each step's undo, last step first; steps with nothing to undo finish at once. */
    @Bean
    Job rollbackJob(JobRepository repository, PlatformTransactionManager tx, MigrationServices services) {
        List<MigrationStep> steps = new java.util.ArrayList<>(steps(services));
        java.util.Collections.reverse(steps);
        return chain(new JobBuilder(ROLLBACK, repository).listener(new Seed(services, true)), steps, true, repository, tx);
    }

    /** A job of these steps in this order, each forwards or (undo) backwards as a step named undo-NAME. */
    static Job chain(JobBuilder builder, List<MigrationStep> steps, boolean undo, JobRepository repository,
                     PlatformTransactionManager tx) {
        var job = builder.start(step(steps.get(0), undo, repository, tx));
        for (MigrationStep s : steps.subList(1, steps.size())) {
            job = job.next(step(s, undo, repository, tx));
        }
        return job.build();
    }

    private static Step step(MigrationStep step, boolean undo, JobRepository repository, PlatformTransactionManager tx) {
        return new StepBuilder((undo ? "undo-" : "") + step.name(), repository)
                .tasklet(undo ? step.backward() : step.forward(), tx).build();
    }
}
