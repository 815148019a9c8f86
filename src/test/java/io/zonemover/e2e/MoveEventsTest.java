package io.zonemover.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An ordinary `migrate` records every action of its steps as Events on the claim and the StatefulSet, too. */
class MoveEventsTest {

    @TempDir
    Path dir;

    @Test
    void migrateLeavesItsStepsOnTheClaimAndTheStatefulSet() {
        Path world = dir.resolve("world");
        SimWorlds.create(world, "stuck-pod");
        SimWorlds.Run run = SimWorlds.run("--sim", world.toString(), "--db", dir.resolve("state").toString(),
                "migrate", "default/www-web-3", "--to", "auto", "--yes");
        assertThat(run.exit()).as(run.err()).isZero();

        List<Map<String, Object>> events = SimWorlds.View.of(world).list("events");
        List<String> onClaim = messages(events, "PersistentVolumeClaim/www-web-3");
        List<String> onSet = messages(events, "StatefulSet/web");
        // Posted as the steps ran: the first steps' events stay with the claim object they were about, and
        // the last ones are on the claim that exists now; all are found by name. Each holds one step's actions.
        assertThat(onClaim).anyMatch(m -> m.contains("preflight: move pod web-3"))
                .anyMatch(m -> m.contains("quiesce: ") && m.contains("pod default/web-3 deleted"))
                .anyMatch(m -> m.contains("finish: ") && m.contains("pod web-3 now uses"));
        assertThat(onSet).anyMatch(m -> m.contains("restart: StatefulSet default/web created again"));
        // A step's actions are one Event, not one each: the move takes over twenty actions and nine steps (a
        // step whose actions are spread out, as pre-snapshot's rounds are, can take a few).
        long actions = run.err().lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d  (restore|quiesce|restart) .*")).count();
        assertThat(actions).isGreaterThan(6);
        assertThat(onClaim.stream().filter(m -> m.matches("\\S+ (restore|quiesce|restart): .*"))).hasSizeLessThanOrEqualTo(6);
        assertThat(events).filteredOn(e -> "MoveStep".equals(e.get("reason")))
                .allSatisfy(e -> assertThat(e.get("type")).isEqualTo("Normal"));
        // The progress on stderr is as before: one line per action, no word of events.
        assertThat(run.err()).contains("finish").doesNotContain("Kubernetes Events");
    }

    private static List<String> messages(List<Map<String, Object>> events, String object) {
        return events.stream().filter(e -> object.equals(e.get("object")) && "MoveStep".equals(e.get("reason")))
                .map(e -> String.valueOf(e.get("message"))).toList();
    }
}
