package io.zonemover.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `rescue`'s bad input (exit 2, one line, no state database made) and what its help promises an operator. */
class RescueCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "|say --watch (keep watching) or --once",
            "--watch --once|say --watch (keep watching) or --once",
            "--once --max-concurrent 0|--max-concurrent must be at least 1",
            "--once --grace 0s|'--grace': '0s' is not a positive duration",
            "--once --interval soon|'--interval'",
            "--once --lease-duration 5s --renew-deadline 10s|--retry-period < --renew-deadline < --lease-duration"})
    void badInputIsOneLineAndExit2(String args, String says) {
        args = args == null ? "" : args;
        String db = dir.resolve("state").toString();
        String[] argv = ("--db " + db + " rescue " + args).trim().split(" ");
        Run r = run(argv);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("zonemover: error:")
                .contains(says));
        assertThat(Files.exists(dir.resolve("state.mv.db"))).isFalse();
    }

    @Test
    void theHelpSaysWhatItDoesTheRbacItNeedsAndTheExitCodes() {
        Run r = run("rescue", "--help");
        assertThat(r.exit()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help).contains("zonemover.io/auto-rescue: \"true\"", "--grace", "PodDisruptionBudget",
                "coordination.k8s.io leases in --lease-namespace: get, create, update",
                "events (core v1): create, patch", "RescueStarted", "MoveStep", "RescueCompleted", "RescueFailed",
                "Exit codes:", "1 --once: a move it started failed", "2 bad input");
    }
}
