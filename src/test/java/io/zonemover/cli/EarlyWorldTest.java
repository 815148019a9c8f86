package io.zonemover.cli;

import io.zonemover.sim.Scenarios;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A world opened before the command line is parsed is used only if it is the one --sim names. */
class EarlyWorldTest {

    @TempDir
    Path tmp;

    @Test
    void onlyDiagnoseIsPreparedForAndItsHelpIsNot() {
        assertThat(RootCommand.connectsAtOnce(new String[] {"--sim", "/w", "diagnose", "-A"})).isTrue();
        assertThat(RootCommand.connectsAtOnce(new String[] {"diagnose", "--help"})).isFalse();
        assertThat(RootCommand.connectsAtOnce(new String[] {"--sim", "/w", "jobs", "list"})).isFalse();
        assertThat(RootCommand.simDirectory(new String[] {"--sim", "/w", "diagnose"})).isEqualTo(Path.of("/w"));
        assertThat(RootCommand.simDirectory(new String[] {"diagnose", "--sim=/w"})).isEqualTo(Path.of("/w"));
        assertThat(RootCommand.simDirectory(new String[] {"diagnose", "--sim"})).isNull();
    }

    @Test
    void theEarlyWorldServesWhenItIsTheNamedOne() {
        Path a = world("a");
        try (Connections connections = new Connections(options("--sim", a.toString()))) {
            connections.openWorldEarly(a);
            assertThat(connections.sim().store().dir()).isEqualTo(a);
        }
    }

    @Test
    void anotherDirectoryThanTheNamedOneIsNotUsed() {
        Path a = world("a");
        Path b = world("b");
        try (Connections connections = new Connections(options("--sim", b.toString()))) {
            connections.openWorldEarly(a);
            assertThat(connections.sim().store().dir()).isEqualTo(b);
        }
    }

    @Test
    void aWorldThatCouldNotBeOpenedEarlyFailsAsItWouldHave() throws Exception {
        Path notAWorld = Files.createDirectories(tmp.resolve("empty"));
        try (Connections connections = new Connections(options("--sim", notAWorld.toString()))) {
            connections.openWorldEarly(notAWorld);
            assertThatThrownBy(connections::sim).isInstanceOf(WorldStore.NotAWorldException.class);
        }
    }

    private Path world(String name) {
        Path dir = tmp.resolve(name);
        WorldStore.create(dir, Scenarios.create("healthy", Map.of(), System.currentTimeMillis()), 60, "healthy");
        return dir;
    }

    private static GlobalOptions options(String... args) {
        GlobalOptions options = new GlobalOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
