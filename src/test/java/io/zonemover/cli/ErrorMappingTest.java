package io.zonemover.cli;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.UnsatisfiedDependencyException;
import picocli.CommandLine;

import java.net.ConnectException;
import java.nio.file.Path;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** Main's one mapping from errors to exit codes, on errors wrapped the way Spring wraps them. */
class ErrorMappingTest {

    private final GlobalOptions global = globalWith("--db", "/var/lib/zonemover/state");

    @Test
    void theToolsOwnErrorIsFoundUnderSpringsWrappers() {
        Main.Failure f = Main.classify(springWrapped(ZonemoverException.badInput("--context nope: no such context")), global);
        assertThat(f.kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT);
        assertThat(f.message()).isEqualTo("--context nope: no such context");

        Main.Failure refused = Main.classify(springWrapped(ZonemoverException.refused("not confirmed")), global);
        assertThat(refused.kind().exitCode()).isEqualTo(3);
    }

    @Test
    void aDirectoryThatIsNotAWorldIsBadInputHoweverDeep() {
        Main.Failure f = Main.classify(springWrapped(new WorldStore.NotAWorldException(Path.of("/tmp/x"))), global);
        assertThat(f.kind().exitCode()).isEqualTo(2);
        assertThat(f.message()).startsWith("/tmp/x is not a simulated world");
    }

    @Test
    void databaseErrorsThatMeanTheWrongDatabaseNameTheDbOption() {
        for (String state : new String[] {"28000", "90020", "90030", "90048", "08001"}) {
            Main.Failure f = Main.classify(springWrapped(new SQLException("H2 says no [" + state + "-240]", state)), global);
            assertThat(f.kind()).as(state).isEqualTo(ZonemoverException.Kind.BAD_INPUT);
            assertThat(f.message()).as(state).startsWith("--db /var/lib/zonemover/state: ");
        }
        Main.Failure notAnH2File = Main.classify(springWrapped(new SQLException("File corrupted", "90030")), global);
        assertThat(notAnH2File.message()).contains("not an H2 database");
    }

    @Test
    void anIoErrorInsideAJobIsAFailureNotBadInput() {
        Main.Failure io = Main.classify(springWrapped(new SQLException("IO Exception [90028-240]", "90028")), global);
        assertThat(io.kind()).isEqualTo(ZonemoverException.Kind.FAILED);
    }

    @Test
    void otherFailuresAreToldByTheirOwnMessageNotSprings() {
        Main.Failure f = Main.classify(springWrapped(new ConnectException("Connection refused")), global);
        assertThat(f.kind().exitCode()).isEqualTo(1);
        assertThat(f.message()).isEqualTo("Connection refused").doesNotContain("bean");
    }

    @Test
    void picocliConverterExceptionsAreNotShown() {
        assertThat(Main.withoutJavaNames("Invalid value for option '--ec2-endpoint': cannot convert 'a b' to URI "
                + "(java.net.URISyntaxException: Illegal character in path at index 1: a b)"))
                .isEqualTo("Invalid value for option '--ec2-endpoint': cannot convert 'a b' to URI");
    }

    private static RuntimeException springWrapped(Throwable cause) {
        BeanCreationException inner = new BeanCreationException("cluster", "Instantiation of supplied bean failed", cause);
        return new UnsatisfiedDependencyException(null, "io.zonemover.jobs.MigrationService",
                "Unsatisfied dependency expressed through constructor parameter 0", inner);
    }

    private static GlobalOptions globalWith(String... args) {
        GlobalOptions options = new GlobalOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
