package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Takes claims for a job before the job exists: the state database's lock, then each claim's annotation by
 * compare-and-set. A job that loses a race is refused having changed nothing and left no job behind.
 */
final class ClaimLocks {

    private ClaimLocks() {
    }

    /** Takes every claim for job {@code id}, or none; {@code status} says how a holding job stands. */
    static void take(MigrationServices services, List<ClaimRef> claims, String id, UnaryOperator<String> status) {
        List<ClaimRef> sorted = claims.stream().sorted(Comparator.comparing(ClaimRef::toString)).toList();
        List<ClaimRef> held = new ArrayList<>();
        try {
            for (ClaimRef claim : sorted) {
                Optional<String> holder = services.store().lockClaim(claim.toString(), id);
                if (holder.isPresent()) {
                    throw ZonemoverException.refused("claim " + claim + " is locked by job " + holder.get() + " ("
                            + status.apply(holder.get()) + ")");
                }
                held.add(claim);
            }
            for (ClaimRef claim : sorted) {
                Optional<String> holder = services.cluster().lockClaim(claim, Tags.MIGRATION_ANNOTATION, id);
                if (holder.isPresent()) {
                    throw ZonemoverException.refused("claim " + claim + " is held by move " + holder.get()
                            + " (annotation " + Tags.MIGRATION_ANNOTATION + "); nothing changed");
                }
            }
        } catch (RuntimeException e) {
            for (ClaimRef claim : held) {
                releaseQuietly(services, claim, id);
            }
            throw e;
        }
    }

    private static void releaseQuietly(MigrationServices services, ClaimRef claim, String id) {
        try {
            services.cluster().unlockClaim(claim, Tags.MIGRATION_ANNOTATION, id);
        } catch (RuntimeException ignored) {
            // Only ours is removed; a left-over annotation names a job that does not exist and is refused.
        }
        services.store().unlockClaim(claim.toString(), id);
    }
}
