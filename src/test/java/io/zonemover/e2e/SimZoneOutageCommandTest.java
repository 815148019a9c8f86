package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `sim fault --zone-down/--zone-up` and the `history` of `sim show --json`. */
class SimZoneOutageCommandTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownZoneIsRefusedWithExitTwoAndChangesNothing() throws Exception {
        SimWorlds.create(dir, "healthy");
        String before = Files.readString(dir.resolve(WorldStore.STATE_FILE));
        for (String option : new String[] {"--zone-down", "--zone-up"}) {
            SimWorlds.Run run = SimWorlds.run("sim", "fault", dir.toString(), option, "us-east-1z");
            assertThat(run.exit()).as(run.err()).isEqualTo(2);
            assertThat(run.err().strip().lines()).hasSize(1);
            assertThat(run.err()).contains("us-east-1z");
        }
        SimWorlds.Run both = SimWorlds.run("sim", "fault", dir.toString(), "--zone-down", "us-east-1b", "--zone-up",
                "us-east-1b");
        assertThat(both.exit()).as(both.err()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve(WorldStore.STATE_FILE))).isEqualTo(before);
    }

    @Test
    void clearEndsEveryOutage() {
        SimWorlds.create(dir, "healthy");
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--zone-down", "us-east-1c").exit()).isZero();
        SimWorlds.Run cleared = SimWorlds.run("sim", "fault", dir.toString(), "--clear");
        assertThat(cleared.exit()).as(cleared.err()).isZero();
        assertThat(cleared.out()).contains("zones down: []");
    }

    @Test
    void zoneDownAndUpAreSeenInShowAndTheHistoryKeyComesLast() throws Exception {
        SimWorlds.create(dir, "healthy");
        SimWorlds.Run down = SimWorlds.run("sim", "fault", dir.toString(), "--zone-down", "us-east-1b");
        assertThat(down.exit()).as(down.err()).isZero();
        assertThat(down.out()).contains("zones down: [us-east-1b]");
        JsonNode shown = show();
        List<String> keys = new ArrayList<>();
        shown.fieldNames().forEachRemaining(keys::add);
        assertThat(keys.get(keys.size() - 1)).isEqualTo("history");
        assertThat(shown.path("history")).isNotEmpty();
        for (JsonNode i : shown.path("history")) {
            assertThat(i.path("uid").asText()).isNotEmpty();
            assertThat(i.path("from").asText()).isNotEmpty();
            if ("us-east-1b".equals(i.path("zone").asText())) {
                assertThat(i.path("to").isNull()).as("stopped with its zone: " + i).isFalse();
            }
        }
        SimWorlds.Run up = SimWorlds.run("sim", "fault", dir.toString(), "--zone-up", "us-east-1b");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.out()).contains("zones down: []");
    }

    private JsonNode show() throws Exception {
        SimWorlds.Run run = SimWorlds.run("sim", "show", dir.toString(), "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        return new ObjectMapper().readTree(run.out());
    }
}
