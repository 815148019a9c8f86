package io.zonemover.jobs;

import io.zonemover.domain.PortError;
import io.zonemover.testing.Faults;
import org.junit.jupiter.api.Test;

import static io.zonemover.jobs.MoveStepsTest.moveOfWeb1;
import static io.zonemover.jobs.MoveStepsTest.snapshots;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steps ask EC2 only what they need: no look for an earlier attempt's snapshot or volume when none can exist,
 * a look whenever one may (after an answer was lost, after a restart), and no second read of the source volume's
 * attributes.
 */
class Ec2CallsTest {

    @Test
    void aCleanMoveNeverLooksForWhatAnEarlierAttemptMightHaveCreated() throws Exception {
        StepDriver d = moveOfWeb1().runAll();
        assertThat(d.world.ec2().faults().count("snapshotsTagged")).isZero();
        assertThat(d.world.ec2().faults().count("volumesTagged")).isZero();
        assertThat(snapshots(d, "pre")).hasSize(2);
        assertThat(snapshots(d, "final")).hasSize(2);
        assertThat(d.world.ec2().faults().count("volume")).as("each source volume read by preflight and by the final "
                + "snapshot step, not again by the restore").isEqualTo(4);
    }

    @Test
    void aCreateWhoseAnswerWasLostIsLookedForBeforeTryingAgain() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("final-snapshot");
        d.world.ec2().faults().failNext(1, "createSnapshot", PortError.Kind.TRANSIENT, Faults.When.AFTER_EFFECT);
        d.run("final-snapshot");
        assertThat(snapshots(d, "final")).as("the lost one found, not taken twice").hasSize(2);
        assertThat(d.world.ec2().faults().count("snapshotsTagged")).isEqualTo(1);
    }

    @Test
    void aResumedStepLooksFirstWhateverItsCheckpointSays() throws Exception {
        StepDriver d = moveOfWeb1().runBefore("restore");
        // The intent is recorded and committed; the process dies before, or while, creating the volume.
        assertThat(d.run("restore", false, 1)).isEqualTo(-1);
        d.crashDuring("restore", false);
        d.run("restore");
        assertThat(d.world.ec2().faults().count("volumesTagged")).isEqualTo(1);
        assertThat(d.world.ec2().allVolumes()).as("4 old + 2 restored").hasSize(6);
    }
}
