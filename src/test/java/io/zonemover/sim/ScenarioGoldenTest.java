package io.zonemover.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restructuring the simulated world must not change what it does: each scenario's ground truth (what
 * `sim show --json` prints) right after creation and ten world-minutes later is compared byte for byte with
 * the recording in src/test/resources/golden. Record again only for a deliberate behaviour change:
 * {@code mvn test -Dtest=ScenarioGoldenTest -Dgolden.update=true}.
 */
class ScenarioGoldenTest {

    static final long T0 = 1_750_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParameterizedTest
    @ValueSource(strings = {"stuck-pod", "unbalanced", "healthy", "two-claims", "fleet"})
    void groundTruthIsUnchanged(String scenario) throws Exception {
        World world = Scenarios.create(scenario, Map.of(), T0);
        String atStart = JSON.writeValueAsString(world.show());
        world.advanceTo(T0 + 10 * 60_000);
        String later = JSON.writeValueAsString(world.show());
        String actual = atStart + "\n---\n" + later + "\n";
        Path golden = Path.of("src/test/resources/golden", scenario + ".json");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(golden));
    }
}
