/**
 * zonemover's own tables beside Spring Batch's, in the same database: one row per migration (for
 * listing), the audit trail, the claim locks, and which live process owns a running job.
 */
package io.zonemover.state;
