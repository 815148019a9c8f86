package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.repository.JobRepository;

/**
 * What the steps work with: the two ports, the state tables, the job repository, the progress sink, how
 * often to look again, and how long transient API errors are waited out before a step gives up.
 */
public record MigrationServices(Cluster cluster, BlockStore blockStore, MigrationStore store,
                                JobRepository repository, Progress progress, long pollMillis,
                                long transientBudgetMillis) {
}
