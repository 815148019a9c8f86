package io.zonemover.jobs;

import io.zonemover.jobs.MigrationContext.ClaimKey;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a resource a step is about to create may already exist, made by an earlier attempt that reached EC2 and
 * was cut off before it recorded the id (CreateSnapshot takes no client token). Looking for it by tag costs a
 * Describe call per create, and only such an attempt makes it needed. So the step first records its intent in the
 * checkpoint ({@link #record}, committed on its own); a create is only ever tried after that. The look can then be
 * skipped by the one call that knows no attempt was made since: the first try, in the process that recorded the
 * intent. Any later try (after an error, a restart, a resume or an adoption elsewhere) looks first.
 */
final class CreateIntents {

    /** Intents recorded by this process whose create has not been tried yet: job, key, claim, attempt. */
    private final Set<String> untried = ConcurrentHashMap.newKeySet();

    /**
     * Records the intent to create the resource of claim {@code i}, attempt {@code attempt}, unless it is recorded
     * already; true when it was recorded now (the step then returns AGAIN so that it commits before the create).
     */
    boolean record(MigrationContext ctx, ClaimKey intent, int i, int attempt) {
        if (String.valueOf(attempt).equals(ctx.get(intent, i))) {
            return false;
        }
        ctx.put(intent, i, attempt);
        untried.add(token(ctx, intent, i, attempt));
        return true;
    }

    /** Whether an earlier attempt may have created it, so it must be looked for; the first call here is the try. */
    boolean mayExist(MigrationContext ctx, ClaimKey intent, int i, int attempt) {
        return !untried.remove(token(ctx, intent, i, attempt));
    }

    private static String token(MigrationContext ctx, ClaimKey intent, int i, int attempt) {
        return ctx.jobId() + "/" + ctx.executionId() + "/" + intent.at(i) + "/" + attempt;
    }
}
