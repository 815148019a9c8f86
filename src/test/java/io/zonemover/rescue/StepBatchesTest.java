package io.zonemover.rescue;

import io.zonemover.jobs.Progress.Action;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A move's actions become one batch per step: handed on when the step changes, or after the window. */
class StepBatchesTest {

    private final List<StepBatches.Batch> out = new CopyOnWriteArrayList<>();

    private static Action action(String job, String step, String message) {
        return new Action(job, "default", "web", List.of("www-web-3"), step, "created", message);
    }

    @Test
    void aStepsActionsAreOneBatchHandedOnWhenTheNextStepBegins() {
        try (StepBatches batches = new StepBatches(out::add, Clock.systemUTC())) {
            batches.add(action("zm-1", "restore", "volume vol-1 creating"));
            batches.add(action("zm-1", "restore", "claim deleted"));
            batches.add(action("zm-1", "restore", "claim created again"));
            assertThat(out).isEmpty();
            batches.add(action("zm-1", "rebind", "claim Bound"));
            assertThat(out).singleElement().satisfies(b -> assertThat(b.message())
                    .isEqualTo("zm-1 restore: volume vol-1 creating; claim deleted; claim created again"));
        }
        assertThat(out).extracting(StepBatches.Batch::message).containsExactly(
                "zm-1 restore: volume vol-1 creating; claim deleted; claim created again", "zm-1 rebind: claim Bound");
    }

    @Test
    void aBatchGoesOutAfterTheWindowWithoutWaitingForTheNextStep() throws InterruptedException {
        try (StepBatches batches = new StepBatches(out::add, Clock.systemUTC())) {
            batches.add(action("zm-1", "pre-snapshot", "pre-snapshot snap-1 of vol-1"));
            long deadline = System.currentTimeMillis() + StepBatches.WINDOW.toMillis() + 10_000;
            while (out.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(out).extracting(StepBatches.Batch::message)
                    .containsExactly("zm-1 pre-snapshot: pre-snapshot snap-1 of vol-1");
            // The same step's later actions make a batch of their own.
            batches.add(action("zm-1", "pre-snapshot", "round 2"));
        }
        assertThat(out).hasSize(2);
    }

    @Test
    void twoMovesInOneProcessKeepTheirOwnBatches() {
        try (StepBatches batches = new StepBatches(out::add, Clock.systemUTC())) {
            batches.add(action("zm-1", "quiesce", "pod web-3 deleted"));
            batches.add(action("zm-2", "quiesce", "pod db-1 deleted"));
            batches.add(action("zm-1", "quiesce", "web-3's volume detaching"));
            assertThat(out).isEmpty();
            batches.flush();
            assertThat(out).extracting(StepBatches.Batch::message).containsExactly(
                    "zm-1 quiesce: pod web-3 deleted; web-3's volume detaching", "zm-2 quiesce: pod db-1 deleted");
        }
    }
}
