package io.zonemover.rescue;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rescuer's decisions from one scan alone: opt-in, grace on the server's clock, room, one move at a time. */
class RescuePolicyTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private final RescuePolicy policy = new RescuePolicy(Duration.ofMinutes(5), 1);

    private static Candidate stuck(String pod, Duration forHowLong, boolean optedIn) {
        return new Candidate("default", pod, "uid-" + pod, pod.replaceAll("-\\d+$", ""), List.of("data-" + pod),
                "us-east-1c", forHowLong == null ? null : NOW.minus(forHowLong), optedIn);
    }

    private static Decision.Kind only(List<Decision> decisions) {
        assertThat(decisions).hasSize(1);
        return decisions.get(0).kind();
    }

    @Test
    void waitsUntilTheGraceHasPassedOnTheServersClock() {
        assertThat(only(policy.decide(List.of(stuck("web-3", Duration.ofSeconds(299), true)), NOW, List.of())))
                .isEqualTo(Decision.Kind.WAITING);
        assertThat(only(policy.decide(List.of(stuck("web-3", Duration.ofSeconds(300), true)), NOW, List.of())))
                .isEqualTo(Decision.Kind.MOVE);
        // The same pod, stuck since the same instant: only the server's clock at the scan decides.
        Candidate c = stuck("web-3", Duration.ofSeconds(100), true);
        assertThat(only(policy.decide(List.of(c), NOW.plusSeconds(199), List.of()))).isEqualTo(Decision.Kind.WAITING);
        assertThat(only(policy.decide(List.of(c), NOW.plusSeconds(200), List.of()))).isEqualTo(Decision.Kind.MOVE);
    }

    @Test
    void waitingSaysWhenItIsDue() {
        Decision d = policy.decide(List.of(stuck("web-3", Duration.ofMinutes(1), true)), NOW, List.of()).get(0);
        assertThat(d.detail()).contains("due at 2026-01-01T12:04:00Z", "grace 5m");
    }

    @Test
    void aStatefulSetThatDidNotOptInIsLeftAloneHoweverLongItsPodIsStuck() {
        assertThat(only(policy.decide(List.of(stuck("db-1", Duration.ofHours(6), false)), NOW, List.of())))
                .isEqualTo(Decision.Kind.NOT_OPTED_IN);
    }

    @Test
    void aPodStuckSinceAnUnknownTimeIsNotMoved() {
        assertThat(only(policy.decide(List.of(stuck("web-3", null, true)), NOW, List.of()))).isEqualTo(Decision.Kind.WAITING);
    }

    @Test
    void noZoneWithRoomMeansNoMove() {
        Candidate c = new Candidate("default", "web-3", "u", "web", List.of("www-web-3"), null,
                NOW.minus(Duration.ofHours(1)), true);
        assertThat(only(policy.decide(List.of(c), NOW, List.of()))).isEqualTo(Decision.Kind.NO_ROOM);
    }

    @Test
    void oneMoveAtATimeLongestStuckFirst() {
        List<Decision> out = policy.decide(List.of(stuck("a-1", Duration.ofMinutes(10), true),
                stuck("b-1", Duration.ofMinutes(30), true), stuck("c-1", Duration.ofMinutes(20), true)), NOW, List.of());
        assertThat(out).extracting(d -> d.candidate().pod()).containsExactly("b-1", "c-1", "a-1");
        assertThat(out).extracting(Decision::kind)
                .containsExactly(Decision.Kind.MOVE, Decision.Kind.DEFERRED, Decision.Kind.DEFERRED);
    }

    @Test
    void movesInFlightInTheClusterCountAgainstTheLimit() {
        List<Decision> deferred = policy.decide(List.of(stuck("web-3", Duration.ofHours(1), true)), NOW,
                List.of("zm-0a0b0c"));
        assertThat(only(deferred)).isEqualTo(Decision.Kind.DEFERRED);
        assertThat(deferred.get(0).detail()).contains("zm-0a0b0c", "at most 1 at once");
        RescuePolicy two = new RescuePolicy(Duration.ofMinutes(5), 2);
        List<Decision> out = two.decide(List.of(stuck("a-1", Duration.ofHours(1), true),
                stuck("b-1", Duration.ofHours(2), true), stuck("c-1", Duration.ofHours(3), true)), NOW, List.of("zm-1"));
        assertThat(out).extracting(Decision::kind)
                .containsExactly(Decision.Kind.MOVE, Decision.Kind.DEFERRED, Decision.Kind.DEFERRED);
    }
}
