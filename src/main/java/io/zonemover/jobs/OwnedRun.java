package io.zonemover.jobs;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.job.JobExecution;

import java.util.function.Function;

/**
 * Runs a job holding its lease (renewed by a {@link Heartbeat}), so no other process resumes it meanwhile; a
 * process that stalls past its lease and is taken over stops, and says so, instead of reporting the job.
 */
final class OwnedRun {

    @FunctionalInterface
    interface Run {
        JobExecution run() throws Exception;
    }

    private OwnedRun() {
    }

    static <T> T run(MigrationStore store, String id, Run run, Function<JobExecution, T> result) {
        store.takeOwnership(id).ifPresent(owner -> {
            throw ZonemoverException.refused("job " + id + " is held by " + owner.describe() + ", lease "
                    + owner.leaseWords() + "; watch it with `zonemover jobs show " + id + "`, or resume it once the "
                    + "lease has expired");
        });
        try (Heartbeat ignored = new Heartbeat(store, id)) {
            JobExecution execution;
            try {
                execution = run.run();
            } catch (Exception e) {
                store.checkStillOwner(id); // taken over: that is the story, not what failed on the way out
                throw e;
            }
            store.checkStillOwner(id);
            return result.apply(execution);
        } catch (ZonemoverException e) {
            throw e;
        } catch (Exception e) {
            throw ZonemoverException.failed("job " + id + ": " + e.getMessage(), e);
        } finally {
            store.releaseOwnership(id);
        }
    }
}
