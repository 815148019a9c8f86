package io.zonemover.jobs;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** How long to wait before looking again at a change under way: its pace as seen, on this machine's clock. */
class ChangePaceTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ChangePace pace = new ChangePace(now::get);

    @Test
    void aSnapshotIsWaitedForAsLongAsItsProgressSaysItStillNeeds() {
        long asked = pace.now();
        now.addAndGet(40);
        pace.started("snap-1", asked, 250);
        assertThat(pace.untilFirstLook(List.of("snap-1"))).as("nothing to see the instant it starts").isEqualTo(250);
        now.addAndGet(260);
        assertThat(pace.untilFirstLook(List.of("snap-1"))).isNegative();
        // Started halfway through the 40 ms call, 280 ms ago; "20%" is 20.5% at best guess: 1086 ms to go, and
        // a little more rather than less.
        assertThat(pace.expectedMillis("snap-1", 20)).isEqualTo(1140);
        now.addAndGet(1106);
        assertThat(pace.expectedMillis("snap-1", 99)).isEqualTo(7);
    }

    @Test
    void theSoonestASnapshotCanBeDoneTakesItsPercentAtItsHighest() {
        pace.started("snap-1", pace.now(), 0);
        now.addAndGet(1000);
        // "1%" may be anything up to 2%: 49 s to go at the fastest, 69 s at the best guess (and a little late).
        assertThat(pace.soonestMillis("snap-1", 1)).isEqualTo(49_000);
        assertThat(pace.expectedMillis("snap-1", 1)).isEqualTo(68_950);
        // Still at 1% 9 s later: the pace so far says 490 s at the soonest.
        now.addAndGet(9_000);
        assertThat(pace.soonestMillis("snap-1", 1)).isEqualTo(490_000);
        now.addAndGet(1_000);
        pace.done("snap-1");
        pace.started("snap-2", pace.now(), 0);
        now.addAndGet(10_000);
        assertThat(pace.soonestMillis("snap-2", 99)).isZero();
        now.addAndGet(10_000);
        assertThat(pace.soonestMillis("snap-2", 99)).as("stuck at 99% for 10 s").isEqualTo(5_000);
    }

    @Test
    void aSnapshotStuckAtOnePercentageIsLookedAtLessAndLessOften() {
        pace.started("snap-1", pace.now(), 0);
        now.addAndGet(1000);
        assertThat(pace.expectedMillis("snap-1", 99)).isEqualTo(5);
        now.addAndGet(5000);
        assertThat(pace.expectedMillis("snap-1", 99)).as("no move for 5 s: wait as long again").isEqualTo(5000);
    }

    @Test
    void aVolumeShowsNoProgressSoItIsWaitedForAboutAsLongAsItHasTakenSoFar() {
        pace.started("vol-1", pace.now(), 0);
        now.addAndGet(300);
        assertThat(pace.expectedMillis("vol-1", -1)).isEqualTo(300);
        now.addAndGet(300);
        assertThat(pace.expectedMillis("vol-1", -1)).isEqualTo(600);
    }

    @Test
    void aChangeStartedByAnotherProcessCountsFromWhenItIsFirstSeenHere() {
        assertThat(pace.expectedMillis("snap-9", 40)).isZero();
        now.addAndGet(1000);
        assertThat(pace.expectedMillis("snap-9", 60)).as("20 points a second, 39.5 to go").isEqualTo(2073);
        pace.done("snap-9");
        assertThat(pace.expectedMillis("snap-9", 70)).isZero();
    }

    @Test
    void readsEc2sProgressText() {
        assertThat(ChangePace.percent("57%")).isEqualTo(57);
        assertThat(ChangePace.percent(null)).isEqualTo(-1);
        assertThat(ChangePace.percent("soon")).isEqualTo(-1);
    }

    @Test
    void aWaitIsAtLeastOnePollAndAtMostThirtySecondsOrAHundredAndTwentyPolls() {
        assertThat(MigrationStep.bounded(10, 250)).isEqualTo(250);
        assertThat(MigrationStep.bounded(4_000, 250)).isEqualTo(4_000);
        assertThat(MigrationStep.bounded(600_000, 2_000)).isEqualTo(30_000);
        assertThat(MigrationStep.bounded(600_000, 100)).isEqualTo(12_000);
        assertThat(MigrationStep.bounded(5_000, 0)).as("tests drive time themselves").isZero();
    }
}
