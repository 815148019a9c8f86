package io.zonemover.jobs;

import io.zonemover.state.MigrationStore;
import io.zonemover.state.PlanStore;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/**
 * Wiring only: `rebalance apply` is one job of one step, {@link FleetRunner}, which runs each move of the plan
 * as a single-pod move job of its own (resumable and rolled back as any single move).
 */
@Configuration(proxyBeanMethods = false)
public class FleetJob {

    public static final String NAME = "rebalance";
    public static final String PARAM_PLAN = "planId";

    /** After {@link MigrationStore}, which creates the tables. */
    @Bean
    PlanStore planStore(DataSource dataSource, MigrationStore tables) {
        return new PlanStore(dataSource);
    }

    /**
     * The runner's own writes commit one by one as it makes them, not with the step's chunk: a move's job id is
     * on record before the move starts, whatever happens to the round.
     */
    @Bean
    Job rebalanceJob(JobRepository repository, MigrationService moves, PlanStore plans, MigrationServices services) {
        return new JobBuilder(NAME, repository)
                .start(new StepBuilder("moves", repository)
                        .tasklet(new FleetRunner(moves, plans, services), new ResourcelessTransactionManager())
                        .build())
                .build();
    }
}
