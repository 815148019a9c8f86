/**
 * The migration job (Spring Batch): one idempotent tasklet per step, checkpointed in the job's
 * ExecutionContext, plus the rollback procedure and the use cases the command line calls. The split job
 * ({@link io.zonemover.jobs.SplitJob}, {@link io.zonemover.jobs.SplitService}) is built of the same kind of
 * steps: one StatefulSet into one per zone, each pod's volumes re-bound or copied into its zone's set.
 */
package io.zonemover.jobs;
