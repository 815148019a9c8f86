package io.zonemover.jobs;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import java.util.List;

/**
 * Wiring only: the split of a StatefulSet into one per zone ({@code rebalance --split-per-zone}) reads top to
 * bottom as its steps. It only goes forward: once a pod has run in its zone set there is nothing to go back
 * to, and before that every step can be resumed; the original's volumes are never deleted.
 */
@Configuration(proxyBeanMethods = false)
public class SplitJob {

    public static final String NAME = "split";
    /** NAMESPACE/NAME of the original StatefulSet. */
    public static final String PARAM_STATEFUL_SET = "statefulSet";
    /** The plan's moves, as {@link SplitMoves} encodes them. */
    public static final String PARAM_MOVES = "moves";

    /** The split's steps, in order. */
    static List<MigrationStep> steps(MigrationServices services) {
        return List.of(
                new SplitPreflightStep(services),
                new SplitPreSnapshotStep(services),
                new CreateZoneSetsStep(services),
                new CarryStep(services),
                new RemoveOriginalStep(services),
                new SplitFinishStep(services));
    }

    @Bean
    Job splitJob(JobRepository repository, PlatformTransactionManager tx, MigrationServices services) {
        return MigrationJob.chain(new JobBuilder(NAME, repository), steps(services), false, repository, tx);
    }
}
