package io.zonemover.e2e;

import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.ApiFaults;
import io.zonemover.sim.kube.KubeFaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `sim fault`: the Kubernetes API faults it sets, and every bad value refused in one line, exit 2, nothing changed. */
class SimFaultCommandTest {

    @TempDir
    Path dir;

    @Test
    void badValuesAreRefusedInOneLineWithExitTwoAndChangeNothing() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        Path state = dir.resolve(WorldStore.STATE_FILE);
        String before = Files.readString(state);
        String[][] cases = {
                {"--kube-error-rate", "1.5"},
                {"--kube-error-rate", "-0.1"},
                {"--kube-error-rate", "NaN"},
                {"--kube-error-rate", "lots"},
                {"--kube-error-codes", "404"},
                {"--kube-error-codes", "429,oops"},
                {"--kube-conflict-rate", "2"},
                {"--kube-unreachable-for", "0s"},
                {"--kube-unreachable-for", "soon"},
                {"--full-zone", "us-east-1z"},
                {"--reject-volumes-in", "eu-west-1a"},
                {"--throttle", "3", "--full-zone", "us-east-1z"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 3];
            args[0] = "sim";
            args[1] = "fault";
            args[2] = dir.toString();
            System.arraycopy(c, 0, args, 3, c.length);
            SimWorlds.Run run = SimWorlds.run(args);
            assertThat(run.exit()).as(String.join(" ", c) + ": " + run.err()).isEqualTo(2);
            assertThat(run.err().strip().lines()).as(String.join(" ", c)).hasSize(1);
            assertThat(Files.readString(state)).as(String.join(" ", c)).isEqualTo(before);
        }
        SimWorlds.Run zone = SimWorlds.run("sim", "fault", dir.toString(), "--full-zone", "us-east-1z");
        assertThat(zone.err()).contains("us-east-1z").contains("us-east-1b, us-east-1c");
    }

    @Test
    void kubernetesApiFaultsAreSetAndKeptWithTheWorld() {
        SimWorlds.create(dir, "stuck-pod");
        long start = System.currentTimeMillis();
        SimWorlds.Run run = SimWorlds.run("sim", "fault", dir.toString(), "--kube-error-rate", "0.25",
                "--kube-error-codes", "503,429", "--kube-conflict-rate", "0.1", "--kube-unreachable-for", "30s",
                "--full-zone", "us-east-1b");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("errors 0.25 [429, 503]").contains("conflicts 0.1");

        KubeFaults faults = WorldStore.open(dir).read(w -> w.kube().faults());
        ApiFaults api = faults.api();
        assertThat(api.errorRate()).isEqualTo(0.25);
        assertThat(api.errorCodes()).containsExactly(429, 503);
        assertThat(api.conflictRate()).isEqualTo(0.1);
        assertThat(api.unreachableUntilWall()).isBetween(start + 30_000, System.currentTimeMillis() + 30_000);
        assertThat(faults.fullZones()).containsExactly("us-east-1b");

        // Codes default to all three; --clear removes the API faults with the rest.
        SimWorlds.run("sim", "fault", dir.toString(), "--clear", "--kube-error-rate", "1");
        ApiFaults cleared = WorldStore.open(dir).read(w -> w.kube().faults().api());
        assertThat(cleared.errorCodes()).isEqualTo(List.of(429, 500, 503));
        assertThat(cleared.errorRate()).isEqualTo(1.0);
        assertThat(cleared.unreachableUntilWall()).isZero();
    }
}
