package io.zonemover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The root command: global options, the subcommands, and the input confirmations read from. The subcommands
 * are not in the annotation: {@link #addSubcommands} adds, per run, only the one the command line names.
 */
@Command(name = "zonemover",
        scope = picocli.CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Moves the EBS volume behind a Kubernetes PersistentVolumeClaim to another availability zone and brings its StatefulSet pod back there, with no data lost. Every move is a resumable job.",
                "",
                "Start with `zonemover diagnose` when a pod is Pending with `volume node affinity conflict`; try the whole story on a simulated cluster with `zonemover demo`."},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  done",
                "  1  failed (state kept: `zonemover jobs resume ID` continues)",
                "  2  bad input, nothing changed",
                "  3  refused by a safety check, nothing changed",
                "",
                "Examples:",
                "  zonemover diagnose -A",
                "  zonemover migrate default/www-web-3 --to auto --dry-run",
                "  zonemover rebalance plan -n shop --out spread.yaml",
                "  zonemover jobs list",
                "  zonemover sim init /tmp/world --scenario stuck-pod && zonemover --sim /tmp/world diagnose"})
public final class RootCommand implements Runnable, AutoCloseable {

    /**
     * The subcommands by name, in the order `--help` lists them. picocli builds a command's whole model
     * (every option of every nested command, by reflection) when it is added: for all of them that was a
     * third of a cold `diagnose`, so a run builds only the one it names.
     */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> all = new LinkedHashMap<>();
        all.put("demo", DemoCommand.class);
        all.put("diagnose", DiagnoseCommand.class);
        all.put("migrate", MigrateCommand.class);
        all.put("rebalance", RebalanceCommand.class);
        all.put("jobs", JobsCommand.class);
        all.put("snapshot", SnapshotCommand.class);
        all.put("cleanup", CleanupCommand.class);
        all.put("rescue", RescueCommand.class);
        all.put("storageclass", StorageClassCommand.class);
        all.put("sim", SimCommand.class);
        all.put("bench", BenchCommand.class);
        return all;
    }

    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Spec
    CommandSpec spec;

    private final InputStream input;
    private Connections connections;

    RootCommand(InputStream input) {
        this.input = input;
    }

    /** Where confirmation answers come from (stdin for a real run). */
    InputStream input() {
        return input;
    }

    public GlobalOptions global() {
        return global;
    }

    public synchronized Connections connections() {
        if (connections == null) {
            connections = new Connections(global);
        }
        return connections;
    }

    /**
     * Adds to {@code line} (built on a RootCommand) the subcommand that {@code args} names, or every one when
     * they name none that exists, ask for the root's help or version, or are written in a form this scan does
     * not follow (an @file, a cluster of short options): then picocli sees the whole tree and answers
     * (usage, "did you mean", errors) as it always has.
     */
    static void addSubcommands(CommandLine line, String[] args) {
        String named = commandName(line.getCommandSpec(), args);
        if (named != null && SUBCOMMANDS.containsKey(named)) {
            line.addSubcommand(named, SUBCOMMANDS.get(named));
            return;
        }
        SUBCOMMANDS.forEach(line::addSubcommand);
    }

    /**
     * Whether the command line runs diagnose, a command that connects at once: {@link Main} then starts what
     * it needs first (the client's JSON readers, the simulated world) on other threads while picocli is built.
     * A plain look at the words, picocli not being built yet: a wrong guess only prepares for nothing, or late.
     */
    static boolean connectsAtOnce(String[] args) {
        boolean diagnose = false;
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return false;
            }
            diagnose |= arg.equals("diagnose");
        }
        return diagnose;
    }

    /** The directory --sim names, by the same plain look; null when there is none. */
    static Path simDirectory(String[] args) {
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--sim") && i + 1 < args.length) {
                dir = Path.of(args[++i]);
            } else if (args[i].startsWith("--sim=")) {
                dir = Path.of(args[i].substring("--sim=".length()));
            }
        }
        return dir;
    }

    /** The first argument that is not a root option or an option's value; null when there is none or it is unclear. */
    static String commandName(CommandSpec root, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("@") || arg.equals("--")) {
                return null;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                return arg;
            }
            boolean attached = arg.startsWith("--") && arg.indexOf('=') > 0;
            OptionSpec option = root.findOption(attached ? arg.substring(0, arg.indexOf('=')) : arg);
            if (option == null || option.usageHelp() || option.versionHelp()) {
                return null;
            }
            if (!attached && option.arity().min() > 0) {
                i += option.arity().min();
            }
        }
        return null;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required (see `zonemover --help`)");
    }

    @Override
    public synchronized void close() {
        if (connections != null) {
            connections.close();
        }
    }
}
