package io.zonemover.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rollbacks across kill -9, as {@link CrashResumeTest} does for resumes (a class of its own so that the two test
 * JVMs share the process-killing tests): a move killed at a step and rolled back, and a rollback killed at each
 * of its steps and finished, both end in the state before the move.
 */
class RollbackCrashResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** restore#7!: the first claim was just created again on its new PV (the second still on its old volume). */
    @ParameterizedTest(name = "kill -9 at {0}, then roll back")
    @ValueSource(strings = {"protect#3!", "quiesce#2!", "restore#7!", "restart#1!"})
    void rollbackAfterAKillReturnsThePodToItsOriginalVolumes(String failpoint) throws Exception {
        SimWorlds.create(dir, "two-claims");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String jobId = CrashResumeTest.migrateUntil(dir, failpoint, "default/data-db-3");

        SimWorlds.Run rollback = SimWorlds.run("--sim", dir.toString(), "jobs", "rollback", jobId, "--yes",
                "--poll-interval", "100ms");
        assertThat(rollback.exit()).as(rollback.err() + rollback.out()).isZero();
        Moves.assertAsBefore(before, SimWorlds.View.of(dir), "db", List.of("data-db-3", "wal-db-3"));
    }

    /**
     * The pod never starts in the target zone, so the move rolls itself back; the rollback is killed at
     * each of its steps, and `jobs resume` (or `jobs rollback` again) finishes it: the state before the move.
     */
    @ParameterizedTest(name = "rollback killed at {0}, then resume")
    @ValueSource(strings = {"undo-restart#1!", "undo-rebind#3!", "undo-quiesce#1!", "undo-protect#3!"})
    void aKilledRollbackResumesToTheStateBeforeTheMove(String failpoint) throws Exception {
        SimWorlds.create(dir, "two-claims");
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--never-start", "default/db-3").exit()).isZero();
        SimWorlds.View before = SimWorlds.View.of(dir);
        String jobId;
        try (ZonemoverProcess migrate = ZonemoverProcess.start(Map.of("ZONEMOVER_FAILPOINT", failpoint), "--sim",
                dir.toString(), "migrate", "default/data-db-3", "--to", "auto", "--yes", "--poll-interval", "100ms",
                "--ready-timeout", "3s")) {
            jobId = CrashResumeTest.jobIdOf(migrate);
            assertThat(migrate.waitFor(CrashResumeTest.RUN_TIMEOUT)).as(migrate.output()).isEqualTo(137);
        }
        assertThat(Moves.jobsList(dir).get(0).get("outcome").asText()).isEqualTo("ROLLING_BACK");
        boolean again = failpoint.endsWith("3!");
        SimWorlds.Run finish = SimWorlds.run("--sim", dir.toString(), "jobs", again ? "rollback" : "resume", jobId,
                "--yes", "--poll-interval", "100ms", "-o", "json");
        assertThat(finish.exit()).as(finish.err() + finish.out()).isZero();
        assertThat(JSON.readTree(finish.out()).get("outcome").asText()).isEqualTo("ROLLED_BACK");
        Moves.assertAsBefore(before, SimWorlds.View.of(dir), "db", List.of("data-db-3", "wal-db-3"));
    }
}
