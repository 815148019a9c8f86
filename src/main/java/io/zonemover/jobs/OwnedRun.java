package io.zonemover.jobs;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.job.JobExecution;

import java.util.function.Function;

/** Runs a job with this process recorded as its owner, heartbeating, so no other process resumes it meanwhile. */
final class OwnedRun {

    @FunctionalInterface
    interface Run {
        JobExecution run() throws Exception;
    }

    private OwnedRun() {
    }

    static <T> T run(MigrationStore store, String id, Run run, Function<JobExecution, T> result) {
        store.takeOwnership(id).ifPresent(owner -> {
            throw ZonemoverException.refused("job " + id + " is running in process " + owner.pid() + " on "
                    + owner.host() + "; watch it with `zonemover jobs show " + id + "`");
        });
        try (Heartbeat ignored = new Heartbeat(store, id)) {
            return result.apply(run.run());
        } catch (ZonemoverException e) {
            throw e;
        } catch (Exception e) {
            throw ZonemoverException.failed("job " + id + ": " + e.getMessage(), e);
        } finally {
            store.releaseOwnership(id);
        }
    }
}
