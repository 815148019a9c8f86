/**
 * zonemover's own tables beside Spring Batch's, in the same database: one row per migration (for
 * listing), the audit trail, the claim locks, and the lease that says which process runs a job.
 */
package io.zonemover.state;
