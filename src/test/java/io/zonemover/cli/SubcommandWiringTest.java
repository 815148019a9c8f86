package io.zonemover.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A run builds only the subcommand it names; the whole tree whenever it names none (help, typos). */
class SubcommandWiringTest {

    @Test
    void eachSubcommandIsRegisteredUnderTheNameItsAnnotationGives() {
        RootCommand.SUBCOMMANDS.forEach((name, type) ->
                assertThat(type.getAnnotation(Command.class).name()).as(type.getSimpleName()).isEqualTo(name));
    }

    @Test
    void everyCommandOfTheContractIsThere() {
        // DESIGN.md's command line contract: a command added to the tool must be added to SUBCOMMANDS too.
        assertThat(RootCommand.SUBCOMMANDS.keySet()).containsExactlyInAnyOrder("demo", "diagnose", "migrate",
                "rebalance", "jobs", "snapshot", "cleanup", "rescue", "storageclass", "sim", "bench");
    }

    @Test
    void theCommandIsTheFirstWordThatIsNeitherARootOptionNorItsValue() {
        assertThat(named("diagnose", "-A")).isEqualTo("diagnose");
        assertThat(named("--sim", "/tmp/w", "diagnose")).isEqualTo("diagnose");
        assertThat(named("--sim=/tmp/w", "-o", "json", "-v", "diagnose")).isEqualTo("diagnose");
        // An option's value that happens to be a command's name is not the command.
        assertThat(named("--context", "diagnose", "migrate", "ns/claim")).isEqualTo("migrate");
        assertThat(named("--kubeconfig", "jobs", "--db", "sim", "jobs", "list")).isEqualTo("jobs");
    }

    @Test
    void whatTheScanDoesNotFollowIsLeftToPicocliWithEveryCommand() {
        assertThat(named("--help", "diagnose")).isNull();
        assertThat(named("-V")).isNull();
        assertThat(named("@args.txt")).isNull();
        assertThat(named("-vo", "json", "diagnose")).isNull(); // a cluster of short options
        assertThat(named("--", "diagnose")).isNull();
        assertThat(named("--sim")).isNull();
    }

    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        assertThat(built("--sim", "/tmp/w", "diagnose", "-A")).containsOnlyKeys("diagnose");
        assertThat(built("jobs", "list")).containsOnlyKeys("jobs");
        assertThat(built("dignose")).containsOnlyKeys(RootCommand.SUBCOMMANDS.keySet());
        assertThat(built()).containsOnlyKeys(RootCommand.SUBCOMMANDS.keySet());
    }

    @Test
    void helpAndTyposStillSeeEveryCommand() {
        StringWriter out = new StringWriter();
        assertThat(Main.run(new String[] {"--help"}, new PrintWriter(out), new PrintWriter(new StringWriter())))
                .isZero();
        RootCommand.SUBCOMMANDS.keySet().forEach(name -> assertThat(out.toString()).contains("  " + name));

        StringWriter err = new StringWriter();
        assertThat(Main.run(new String[] {"dignose"}, new PrintWriter(new StringWriter()), new PrintWriter(err)))
                .isEqualTo(2);
        assertThat(err.toString()).contains("did you mean diagnose?");
    }

    @Test
    void aNamedSubcommandStillTakesTheGlobalOptionsAndItsOwnHelp() {
        StringWriter out = new StringWriter();
        assertThat(Main.run(new String[] {"diagnose", "--help"}, new PrintWriter(out), new PrintWriter(new StringWriter())))
                .isZero();
        assertThat(out.toString()).contains("Usage: zonemover diagnose").contains("--kubeconfig=FILE").contains("--rpo");

        StringWriter err = new StringWriter();
        assertThat(Main.run(new String[] {"-o", "yaml", "diagnose"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err))).isEqualTo(2);
        assertThat(err.toString()).contains("-o").contains("yaml");
    }

    private static String named(String... args) {
        return RootCommand.commandName(new CommandLine(new RootCommand(InputStream.nullInputStream())).getCommandSpec(),
                args);
    }

    private static Map<String, CommandLine> built(String... args) {
        CommandLine line = new CommandLine(new RootCommand(InputStream.nullInputStream()));
        RootCommand.addSubcommands(line, args);
        return line.getSubcommands();
    }
}
