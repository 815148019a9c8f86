/**
 * The migration job (Spring Batch): one idempotent tasklet per step, checkpointed in the job's
 * ExecutionContext, plus the rollback procedure and the use cases the command line calls.
 */
package io.zonemover.jobs;
