package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** diagnose prints a command for each finding; running that command must make the finding go away. */
class SuggestedFixTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theSuggestedMigrateCommandFixesTheStuckPod() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        String sim = dir.toString();
        SimWorlds.Run diagnose = SimWorlds.run("--sim", sim, "diagnose", "-o", "json");
        assertThat(diagnose.exit()).isEqualTo(1);
        JsonNode conflict = finding(JSON.readTree(diagnose.out()), "VolumeNodeAffinityConflict");
        String command = conflict.get("command").asText();
        assertThat(command).startsWith("zonemover migrate default/www-web-3 --to ");

        List<String> args = new ArrayList<>(List.of("--sim", sim));
        args.addAll(Arrays.asList(command.substring("zonemover ".length()).split(" ")));
        args.add("--yes");
        SimWorlds.Run fix = SimWorlds.run(args.toArray(String[]::new));
        assertThat(fix.exit()).as(fix.err()).isZero();

        SimWorlds.Run after = SimWorlds.run("--sim", sim, "diagnose", "-o", "json");
        for (JsonNode f : JSON.readTree(after.out()).get("findings")) {
            assertThat(f.get("kind").asText()).isNotIn("VolumeNodeAffinityConflict", "AttachFailure");
        }
        SimWorlds.View view = SimWorlds.View.of(dir);
        assertThat(view.pod("web-3").get("ready")).isEqualTo(true);
        assertThat(view.pod("web-3").get("zone")).isEqualTo(conflict.get("suggestedZone").asText());
    }

    private static JsonNode finding(JsonNode report, String kind) {
        for (JsonNode f : report.get("findings")) {
            if (kind.equals(f.get("kind").asText())) {
                return f;
            }
        }
        throw new AssertionError("no " + kind + " finding in " + report);
    }
}
